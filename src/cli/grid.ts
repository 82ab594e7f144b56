// `flexfed grid congestion|end`: what a grid operator tells the feeders: a congestion signal on
// grid/<feeder> (urn:flexfed:grid:0), read by the demand-response app.
import { randomBytes } from "node:crypto";
import { CongestionSchema, encodeCongestion, isInstant, parseCongestion, type Congestion } from "../../energy-apps/demand-response/signal.ts";
import { PubsubClient, XmppError } from "../xmpp/index.ts";
import { SERVER_OPTIONS_HELP } from "./server-options.ts";
import { ACCOUNT_OPTIONS, asAccount } from "./session.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed grid congestion --feeder FEEDER --limit W [--direction import|export] [--start ISO|now]
                               [--end ISO | --minutes N] [--id ID] [options]
       flexfed grid end --feeder FEEDER --id ID [options]

congestion   publishes a congestion signal on grid/FEEDER: from start (default now) to end (default
             60 minutes later), the feeder's total import (or export) must stay under W watts. The
             demand-response app acts on it. The id defaults to a random c-xxxxxxxx.
end          ends signal ID now (publishes it again with end = now; end = start before it starts)

options:
  --as ACCOUNT           the grid operator's account (default operator); its password is in the data dir
  --to DOMAIN            publish on DOMAIN's grid/FEEDER (an aggregator's domain, over federation;
                         default the operator's own domain)
${SERVER_OPTIONS_HELP}`;

const OPTIONS = {
  ...ACCOUNT_OPTIONS,
  feeder: { type: "string" }, limit: { type: "string" }, direction: { type: "string" }, start: { type: "string" }, end: { type: "string" },
  minutes: { type: "string" }, id: { type: "string" }, to: { type: "string" },
} as const;

type Values = { feeder?: string; limit?: string; direction?: string; start?: string; end?: string; minutes?: string; id?: string };

const isoAt = (text: string, option: string) => {
  if (!isInstant(text)) throw new UsageError(`grid congestion: --${option} '${text}' is not an ISO date-time with seconds and a zone (Z or ±hh:mm)`);
  return new Date(text);
};

/** The signal a command line describes, at `now`; a usage error names what is wrong. */
export function congestionFromArgs(v: Values, now: Date): Congestion {
  if (!v.feeder) throw new UsageError("grid congestion: which --feeder?");
  if (!v.limit) throw new UsageError("grid congestion: which --limit (W)?");
  if (v.end && v.minutes) throw new UsageError("grid congestion: give --end or --minutes, not both");
  const start = !v.start || v.start === "now" ? now : isoAt(v.start, "start");
  const minutes = v.minutes === undefined ? 60 : Number(v.minutes);
  if (!(minutes > 0 && Number.isFinite(minutes))) throw new UsageError(`grid congestion: --minutes must be a positive number, got '${v.minutes}'`);
  const end = v.end ? isoAt(v.end, "end") : new Date(start.getTime() + minutes * 60_000);
  if (end <= start) throw new UsageError("grid congestion: --end must be after --start");
  const parsed = CongestionSchema.safeParse({
    id: v.id ?? `c-${randomBytes(4).toString("hex")}`, feeder: v.feeder, limit: v.limit, direction: v.direction,
    start: start.toISOString(), end: end.toISOString(),
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`grid congestion: --${i.path.join(".")}: ${i.message}`);
  }
  return parsed.data;
}

/** Signal `was` ended at `now`: its end moves to now (to its start, before it starts); undefined when it has ended already. */
export function endedAt(was: Congestion, now: Date): Congestion | undefined {
  if (Date.parse(was.end) <= now.getTime()) return undefined;
  return { ...was, end: new Date(Math.max(now.getTime(), Date.parse(was.start))).toISOString() };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "grid", usage: USAGE, options: OPTIONS, positionals: true });
  if (!args) return 0;
  const [action] = args.positionals;
  if (action !== "congestion" && action !== "end") throw new UsageError(`grid: say congestion or end${action ? `, not '${action}'` : ""}\n\n${USAGE}`);
  const v = args.values;
  if (action === "end" && (!v.feeder || !v.id)) throw new UsageError("grid end: give --feeder and --id");
  const signal = action === "congestion" ? congestionFromArgs(v, new Date()) : undefined;
  const as = v.as ?? "operator";
  return asAccount({ ...v, as }, async (conn, info) => {
    const ps = new PubsubClient(conn, v.to ? `pubsub.${v.to}` : info.pubsub);
    const node = `grid/${v.feeder}`;
    try {
      let out = signal;
      if (!out) {
        const [item] = await ps.items(node, { ids: [v.id!] });
        if (!item?.payload) { console.error(`flexfed: grid end: no signal ${v.id} on ${node}`); return 1; }
        const was = parseCongestion(item.payload);
        out = endedAt(was, new Date());
        if (!out) { console.log(`${node}: ${was.id} ended already at ${was.end}`); return 0; }
      }
      await ps.publish(node, encodeCongestion(out), out.id);
      console.log(`${node}: ${out.id} ${out.direction ?? "import"} limit ${out.limit} W from ${out.start} to ${out.end}`);
      return 0;
    } catch (err) {
      if (!(err instanceof XmppError)) throw err;
      // Provisioning creates grid/<feeder> and makes the operator its publisher: say so when that is what is missing.
      const hint = ["forbidden", "item-not-found"].includes(err.condition) ? ` (does ${node} exist with ${as} as its publisher?)` : "";
      console.error(`flexfed: grid ${action}: ${node}: ${err.message}${err.applicationCondition ? ` [${err.applicationCondition}]` : ""}${hint}`);
      return 1;
    }
  });
}
