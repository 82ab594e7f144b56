// `flexfed policy allow|deny|list|revoke`: an owner's access policies, sent to provisioning.<domain>.
import { createElement as x } from "ltx/lib/ltx.js";
import { PolicyInputSchema, type Policy } from "../provisioning/policy.ts";
import { NS_POLICY, parsePolicies, policyElement } from "../provisioning/protocol.ts";
import { XmppError } from "../xmpp/index.ts";
import { ACCOUNT_OPTIONS, ACCOUNT_OPTIONS_HELP, asAccount } from "./session.ts";
import { SERVER_OPTIONS_HELP } from "./server-options.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed policy allow|deny ACTIONS WHO DEVICES [restrictions] [options]
       flexfed policy list [--json] [options]
       flexfed policy revoke ID [options]

Owner policies decide who may read a device's control space and telemetry and who may send it
instructions. Without a policy that allows it, everything is denied; a deny wins over an allow.
A policy covers only devices you own.

  ACTIONS        read, control, or read,control
  WHO            --to JID (an app, e.g. balancer.localhost, or an account) | --domain DOMAIN | --all
  DEVICES        --device JID | --tag NAME=VALUE (repeatable; every tag must match, e.g. --tag SITE=home-1)
  restrictions   --node NODE (e.g. telemetry/bat1), --field NAME, --parameter NAME (e.g. StorageInstruction); repeatable

examples:
  flexfed policy allow read,control --to balancer.localhost --tag SITE=home-1
  flexfed policy allow control --domain grid.example --tag FEEDER=f-12 --parameter StorageInstruction
  flexfed policy deny read --all --device meter1@localhost
  flexfed policy revoke 3

options:
${ACCOUNT_OPTIONS_HELP}
${SERVER_OPTIONS_HELP}`;

const OPTIONS = {
  ...ACCOUNT_OPTIONS,
  to: { type: "string" }, domain: { type: "string" }, all: { type: "boolean" },
  device: { type: "string" }, tag: { type: "string", multiple: true },
  node: { type: "string", multiple: true }, field: { type: "string", multiple: true }, parameter: { type: "string", multiple: true },
  json: { type: "boolean" },
} as const;

/** Builds the policy a command line describes; a usage error names what is wrong. */
export function policyFromArgs(effect: "allow" | "deny", actions: string | undefined, v: {
  to?: string; domain?: string; all?: boolean; device?: string;
  tag?: readonly string[]; node?: readonly string[]; field?: readonly string[]; parameter?: readonly string[];
}): Omit<Policy, "owner" | "id"> {
  if (!actions) throw new UsageError(`policy ${effect}: say which actions (read, control or read,control)`);
  const who = [v.to && "--to", v.domain && "--domain", v.all && "--all"].filter(Boolean);
  if (who.length !== 1) throw new UsageError(`policy ${effect}: give exactly one of --to, --domain, --all${who.length ? ` (got ${who.join(", ")})` : ""}`);
  if (!!v.device === !!v.tag?.length) throw new UsageError(`policy ${effect}: give either --device JID or one or more --tag NAME=VALUE`);
  const tags = Object.fromEntries((v.tag ?? []).map((t) => {
    const m = /^([^=]+)=(.*)$/.exec(t);
    if (!m) throw new UsageError(`policy ${effect}: --tag '${t}' is not NAME=VALUE`);
    return [m[1]!, m[2]!];
  }));
  const input = {
    owner: "owner@placeholder",
    effect,
    actions: actions.split(",").map((a) => a.trim()),
    subject: v.to ? { kind: "jid", jid: v.to } : v.domain ? { kind: "domain", domain: v.domain } : { kind: "all" },
    target: v.device ? { kind: "device", jid: v.device } : { kind: "tags", tags },
    nodes: [...(v.node ?? [])], fields: [...(v.field ?? [])], parameters: [...(v.parameter ?? [])],
  };
  const parsed = PolicyInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`policy ${effect}: ${issue.path.join(".")}: ${issue.message}`);
  }
  const { owner: _owner, ...policy } = parsed.data;
  return policy;
}

/** One line per policy, as `list` prints it. */
export function describePolicy(p: Policy): string {
  const who = p.subject.kind === "jid" ? p.subject.jid : p.subject.kind === "domain" ? `domain ${p.subject.domain}` : "anyone";
  const what = p.target.kind === "device" ? p.target.jid : Object.entries(p.target.tags).map(([k, v]) => `${k}=${v}`).join(" ");
  const only = [...p.nodes.map((n) => `node ${n}`), ...p.fields.map((f) => `field ${f}`), ...p.parameters.map((a) => `parameter ${a}`)];
  return `${String(p.id).padStart(4)}  ${p.effect.padEnd(5)}  ${p.actions.join(",").padEnd(12)}  ${who}  ->  ${what}${only.length ? `  (only ${only.join(", ")})` : ""}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "policy", usage: USAGE, options: OPTIONS, positionals: true });
  if (!args) return 0;
  const [action, arg, ...extra] = args.positionals;
  if (extra.length) throw new UsageError(`policy: unexpected argument '${extra[0]}'`);
  const v = args.values;
  // Check the command line before connecting, so a typo costs no login.
  const policy = action === "allow" || action === "deny" ? policyFromArgs(action, arg, v) : undefined;
  const id = action === "revoke" ? Number(arg) : undefined;
  if (action === "revoke" && !(Number.isInteger(id) && id! > 0)) throw new UsageError(`policy revoke: '${arg ?? ""}' is not a policy id (see flexfed policy list)`);
  if (!policy && action !== "list" && action !== "revoke") throw new UsageError(action ? `policy: unknown action '${action}'\n\n${USAGE}` : USAGE);

  return asAccount(v, async (conn, info) => {
    const provisioning = `provisioning.${info.domain}`;
    try {
      if (policy) {
        const owner = conn.jid.split("/")[0]!;
        const reply = await conn.iq(provisioning, "set", policyElement(PolicyInputSchema.parse({ ...policy, owner })));
        const [created] = parsePolicies(x("policies", {}, reply!), owner);
        console.log(`policy ${created!.id}: ${describePolicy(created!).trim().replace(/^\d+\s+/, "")}`);
      } else if (id !== undefined) {
        await conn.iq(provisioning, "set", x("revoke", { xmlns: NS_POLICY, id: String(id) }));
        console.log(`policy ${id} revoked`);
      } else {
        const policies = parsePolicies(await conn.iq(provisioning, "get", x("list", { xmlns: NS_POLICY })), conn.jid.split("/")[0]!);
        if (v.json) console.log(JSON.stringify(policies, null, 2));
        else console.log(policies.length ? policies.map(describePolicy).join("\n") : "no policies (everything is denied)");
      }
      return 0;
    } catch (err) {
      if (err instanceof XmppError) { console.error(`flexfed: policy ${action}: ${err.message}`); return 1; }
      throw err;
    }
  });
}
