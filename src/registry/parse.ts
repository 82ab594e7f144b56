// The boundary: XEP-0347 elements (ltx) parsed with zod into typed requests and responses.
// Whatever fails becomes a RequestError whose message names the attribute or tag at fault.
import type { Element } from "ltx/lib/ltx.js";
import { z } from "zod";
import { RequestError } from "./errors.ts";
import { SearchOperator } from "./operators.ts";
import { TagList, XsBoolean } from "./tags.ts";


/** Bare JID, lower-cased (a simple stand-in for nodeprep/nameprep, which fold case). */
export const bareJid = (jid: string) => jid.split("/")[0]!.toLowerCase();

export const Jid = z.string({ error: (iss) => (iss.input === undefined ? "missing attribute 'jid'" : "attribute 'jid' must be text") })
  .regex(/^[^\s@/]+@[^\s@/]+(\/.*)?$/, { error: (iss) => `'${String(iss.input)}' is not a JID of a thing (local@domain)` })
  .transform(bareJid);

/** XEP-0326 concentrator attributes: a thing behind a JID is (jid, nodeId, sourceId, cacheType). */
export const NodeInfo = z.object({
  nodeId: z.string().optional(),
  sourceId: z.string().optional(),
  cacheType: z.string().optional(),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

export const RegisterRequest = NodeInfo.extend({ selfOwned: XsBoolean.default(false), tags: TagList });
export const MineRequest = NodeInfo.extend({ public: XsBoolean.default(true), tags: TagList });
export const UpdateRequest = NodeInfo.extend({ jid: Jid.optional(), tags: TagList });
export const JidRequest = NodeInfo.extend({ jid: Jid });
export const SearchRequest = z.object({
  offset: z.string().regex(/^\d+$/, "attribute 'offset' must be a non-negative integer").transform(Number).default(0),
  maxCount: z.string().regex(/^0*[1-9]\d*$/, "attribute 'maxCount' must be a positive integer").transform(Number).optional(),
  operators: z.array(SearchOperator).min(1, "a search needs at least one operator"),
});

export type RegisterRequest = z.output<typeof RegisterRequest>;
export type MineRequest = z.output<typeof MineRequest>;
export type UpdateRequest = z.output<typeof UpdateRequest>;
export type JidRequest = z.output<typeof JidRequest>;
export type SearchRequest = z.output<typeof SearchRequest>;

function formatIssues(err: z.ZodError): string {
  return err.issues.map((i) => {
    const at = i.path.length ? ` (at ${i.path.join(".")})` : "";
    // Messages about a tag already name it.
    return /^tag /.test(i.message) ? i.message : `${i.message}${at}`;
  }).join("; ");
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new RequestError(`<${what}/>: ${formatIssues(result.error)}`);
  return result.data;
}

/** Attributes, and the <str/>/<num/> children as {type, name, value}. */
function withTags(el: Element) {
  const tags = el.getChildElements().map((c) => {
    const type = c.getName();
    if (type !== "str" && type !== "num") throw new RequestError(`<${el.getName()}/>: unexpected element <${type}/>; tags are <str/> or <num/>`);
    return { type, name: c.attrs.name, value: c.attrs.value };
  });
  return { ...el.attrs, tags };
}

export const parseRegister = (el: Element) => parseWith(RegisterRequest, withTags(el), "register");
export const parseMine = (el: Element) => parseWith(MineRequest, withTags(el), "mine");
export const parseUpdate = (el: Element) => parseWith(UpdateRequest, withTags(el), "update");
export const parseJidRequest = (el: Element) => parseWith(JidRequest, el.attrs, el.getName());
export const parseNodeInfo = (el: Element) => parseWith(NodeInfo, el.attrs, el.getName());
export const parseSearch = (el: Element) =>
  parseWith(SearchRequest, { ...el.attrs, operators: el.getChildElements().map((c) => ({ ...c.attrs, op: c.getName() })) }, "search");

// Responses, read by clients (the CLI, devices, tests).

const FoundThing = NodeInfo.extend({ jid: z.string(), owner: z.string(), tags: TagList });
export type FoundThing = z.output<typeof FoundThing>;
const Found = z.object({ more: XsBoolean.default(false), things: z.array(FoundThing) });
export type Found = z.output<typeof Found>;

export const parseFound = (el: Element): Found =>
  parseWith(Found, { ...el.attrs, things: el.getChildren("thing").map(withTags) }, "found");

/**
 * <claimed/>: the registry's answer to mine (jid = the thing), or its notice to a thing (jid =
 * the owner). An absent `public` means public: the XEP's text says so, its schema says false.
 */
const Claimed = NodeInfo.extend({ jid: z.string(), public: XsBoolean.default(true) });
export type Claimed = z.output<typeof Claimed>;
export const parseClaimed = (el: Element): Claimed => parseWith(Claimed, el.attrs, "claimed");
