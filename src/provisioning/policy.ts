// Owner policies and the decisions drawn from them. Pure: no I/O, no XMPP.
import { z } from "zod";

/** A bare JID: local@domain or a domain (components). */
const BareJid = z.string().regex(/^(?:[^@/\s]+@)?[^@/\s]+$/, "a bare JID (local@domain, or a component's domain)");
const Domain = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, "a DNS domain");
const TagName = z.string().min(1).max(32).regex(/^[^:#\s]+$/, "a tag name without ':', '#' or spaces").transform((s) => s.toUpperCase());

/** Who a policy is about: one entity, every entity of a domain (and its subdomains: its components), or anyone. */
export const SubjectSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("jid"), jid: BareJid.transform((s) => s.toLowerCase()) }),
  z.object({ kind: z.literal("domain"), domain: Domain.transform((s) => s.toLowerCase()) }),
  z.object({ kind: z.literal("all") }),
]);

/** Which of the owner's devices: one by JID, or every device whose registry tags equal all given values. */
export const TargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("device"), jid: BareJid.transform((s) => s.toLowerCase()) }),
  z.object({ kind: z.literal("tags"), tags: z.record(TagName, z.string()).refine((t) => Object.keys(t).length > 0, "at least one tag") }),
]);

export const ActionSchema = z.enum(["read", "control"]);
export type Action = z.infer<typeof ActionSchema>;

export const PolicyInputSchema = z.object({
  owner: BareJid.transform((s) => s.toLowerCase()),
  effect: z.enum(["allow", "deny"]),
  actions: z.array(ActionSchema).min(1),
  subject: SubjectSchema,
  target: TargetSchema,
  /** Reads allowed only of these pubsub nodes (e.g. telemetry/<rid>); empty = all. */
  nodes: z.array(z.string().min(1)).default([]),
  /** Reads allowed only of these fields (SenML names, EFI message kinds); empty = all. */
  fields: z.array(z.string().min(1)).default([]),
  /** Control allowed only of these parameters (EFI instruction kinds); empty = all. */
  parameters: z.array(z.string().min(1)).default([]),
});
export type PolicyInput = z.input<typeof PolicyInputSchema>;
export type Policy = z.infer<typeof PolicyInputSchema> & { id: number };

/** What provisioning knows of a device: its owner and its registry tags. */
export interface Device {
  jid: string;
  owner: string | undefined;
  tags: Record<string, string | number>;
}

const bareOf = (jid: string) => jid.split("/")[0]!.toLowerCase();
const domainOf = (jid: string) => bareOf(jid).split("@").pop()!;

export function subjectMatches(subject: Policy["subject"], requester: string): boolean {
  switch (subject.kind) {
    case "jid": return bareOf(requester) === subject.jid;
    case "domain": {
      const d = domainOf(requester);
      return d === subject.domain || d.endsWith(`.${subject.domain}`);
    }
    case "all": return true;
  }
}

export function targetMatches(policy: Policy, device: Device): boolean {
  // A policy speaks only for its owner's devices.
  if (!device.owner || bareOf(device.owner) !== policy.owner) return false;
  const target = policy.target;
  if (target.kind === "device") return bareOf(device.jid) === target.jid;
  return Object.entries(target.tags).every(([name, value]) => String(device.tags[name] ?? "") === value);
}

export interface Request {
  requester: string;
  device: Device;
  action: Action;
  /** For read: the nodes and fields asked for; for control: the nodes and parameters. Empty = everything. */
  nodes?: string[];
  items?: string[];
}

export interface Decision {
  allowed: boolean;
  /** When allowed only in part: the subsets that may be read or controlled. Undefined = all requested. */
  nodes?: string[];
  items?: string[];
  /** Why, for logs and for `flexfed policy` explanations. */
  reason: string;
}

/**
 * XEP-0324 decision: the device's owner and the device itself are always allowed; otherwise a
 * matching deny wins over any allow (least privilege), and without a matching allow the answer is
 * no (default deny). Restrictions of the matching allows are united; a restriction that keeps none
 * of what was asked is a refusal.
 */
export function decide(policies: Policy[], req: Request): Decision {
  const who = bareOf(req.requester);
  if (req.device.owner && who === bareOf(req.device.owner)) return { allowed: true, reason: "owner" };
  if (who === bareOf(req.device.jid)) return { allowed: true, reason: "the device itself" };
  const applicable = policies.filter((p) => p.actions.includes(req.action) && subjectMatches(p.subject, req.requester) && targetMatches(p, req.device));
  const deny = applicable.find((p) => p.effect === "deny");
  if (deny) return { allowed: false, reason: `denied by policy ${deny.id}` };
  const allows = applicable.filter((p) => p.effect === "allow");
  if (allows.length === 0) return { allowed: false, reason: "no policy allows it (default deny)" };

  const itemsOf = (p: Policy) => (req.action === "read" ? p.fields : p.parameters);
  const nodes = restrict(req.nodes ?? [], allows.map((p) => p.nodes));
  const items = restrict(req.items ?? [], allows.map(itemsOf));
  if (nodes?.length === 0 || items?.length === 0) return { allowed: false, reason: "nothing asked for is allowed" };
  return { allowed: true, nodes, items, reason: `allowed by policy ${allows.map((p) => p.id).join(", ")}` };
}

/**
 * The part of `asked` that the allows permit, or undefined when they permit all of it. One allow
 * without a restriction permits everything; otherwise their lists are united.
 */
function restrict(asked: string[], allowLists: string[][]): string[] | undefined {
  if (allowLists.some((l) => l.length === 0)) return undefined;
  const permitted = new Set(allowLists.flat());
  if (asked.length === 0) return [...permitted];
  const kept = asked.filter((a) => permitted.has(a));
  return kept.length === asked.length ? undefined : kept;
}
