// XEP-0324 requests and responses, and flexfed's owner-policy extension, as stanzas.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { z } from "zod";
import { parseStanza, XmppError } from "../xmpp/index.ts";
import { PolicyInputSchema, type Policy, type PolicyInput } from "./policy.ts";

export const NS_PROVISIONING = "urn:xmpp:iot:provisioning";
export const NS_POLICY = "urn:flexfed:policy:0";

const Jid = z.string().min(1, "is required").regex(/^[^\s]+$/, "must be a JID");

const AccessRequest = (itemName: "field" | "parameter") =>
  z.object({
    jid: Jid,
    nodes: z.array(z.string().min(1, "node needs a nodeId")),
    items: z.array(z.string().min(1, `${itemName} needs a name`)),
    attrs: z.record(z.string(), z.string()),
  });
export type AccessRequest = z.infer<ReturnType<typeof AccessRequest>>;

/** canRead (fields) or canControl (parameters): the caller's JID and what it wants. */
export function parseAccessRequest(el: Element, itemName: "field" | "parameter"): AccessRequest {
  return parseStanza(el, AccessRequest(itemName), (e) => ({
    jid: e.attrs.jid,
    nodes: e.getChildren("node").map((n) => n.attrs.nodeId ?? ""),
    items: e.getChildren(itemName).map((f) => f.attrs.name ?? ""),
    attrs: e.attrs,
  }));
}

/**
 * The response mirrors the request (XEP-0324 §canRead: "similar to the canRead element in the
 * request"), with `result`, and with the restricted node and item lists when only part is allowed.
 */
export function accessResponse(
  name: "canReadResponse" | "canControlResponse",
  itemName: "field" | "parameter",
  req: AccessRequest,
  decision: { allowed: boolean; nodes?: string[]; items?: string[] },
): Element {
  const { xmlns: _ns, serviceToken: _s, userToken: _u, deviceToken: _d, ...echo } = req.attrs;
  const el = x(name, { ...echo, xmlns: NS_PROVISIONING, jid: req.jid, result: String(decision.allowed) });
  if (!decision.allowed) return el;
  for (const nodeId of decision.nodes ?? []) el.append(x("node", { nodeId }));
  for (const n of decision.items ?? []) el.append(x(itemName, { name: n }));
  return el;
}

export const parseFriendRequest = (el: Element) => parseStanza(el, z.object({ jid: Jid })).jid;

export const friendResponse = (jid: string, result: boolean) =>
  x("isFriendResponse", { xmlns: NS_PROVISIONING, jid, result: String(result) });

// ---- flexfed's owner-policy extension (schemas/policy.xsd) -----------------------------------

/** <policy effect actions><subject jid|domain|all/><device jid/>|<tag name value/>+ <node/>* <field/>* <parameter/>*</policy> */
export function parsePolicy(el: Element, owner: string): PolicyInput {
  return parseStanza(el, PolicyInputSchema, (e) => {
    const subject = e.getChild("subject");
    const device = e.getChild("device");
    const tags = e.getChildren("tag");
    return {
      owner,
      effect: e.attrs.effect,
      actions: (e.attrs.actions ?? "").split(/\s+/).filter(Boolean),
      subject: subject?.attrs.jid !== undefined ? { kind: "jid", jid: subject.attrs.jid }
        : subject?.attrs.domain !== undefined ? { kind: "domain", domain: subject.attrs.domain }
        : subject?.attrs.all === "true" ? { kind: "all" } : undefined,
      target: device ? { kind: "device", jid: device.attrs.jid }
        : tags.length ? { kind: "tags", tags: Object.fromEntries(tags.map((t) => [t.attrs.name ?? "", t.attrs.value ?? ""])) } : undefined,
      nodes: e.getChildren("node").map((n) => n.attrs.nodeId),
      fields: e.getChildren("field").map((n) => n.attrs.name),
      parameters: e.getChildren("parameter").map((n) => n.attrs.name),
    };
  });
}

/** A policy as XML: with its id in answers, without one in an owner's request. */
export function policyElement(p: Omit<Policy, "id"> & { id?: number }): Element {
  const el = x("policy", { xmlns: NS_POLICY, id: p.id === undefined ? undefined : String(p.id), effect: p.effect, actions: p.actions.join(" ") });
  const s = p.subject;
  el.append(x("subject", s.kind === "jid" ? { jid: s.jid } : s.kind === "domain" ? { domain: s.domain } : { all: "true" }));
  if (p.target.kind === "device") el.append(x("device", { jid: p.target.jid }));
  else for (const [name, value] of Object.entries(p.target.tags)) el.append(x("tag", { name, value }));
  for (const nodeId of p.nodes) el.append(x("node", { nodeId }));
  for (const name of p.fields) el.append(x("field", { name }));
  for (const name of p.parameters) el.append(x("parameter", { name }));
  return el;
}

export function parsePolicyId(el: Element): number {
  const id = parseStanza(el, z.object({ id: z.coerce.number().int().positive("must be a policy id") })).id;
  return id;
}

/** Reads a policy list answer (for the owner's client side). */
export function parsePolicies(el: Element | undefined, owner: string): Policy[] {
  if (!el) throw new XmppError("bad-request", "empty policy list answer");
  return el.getChildren("policy").map((p) => ({ ...PolicyInputSchema.parse(parsePolicy(p, owner)), id: Number(p.attrs.id) }));
}
