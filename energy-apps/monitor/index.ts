// The monitor app: raises and clears alarms on alarms/<site> for what needs a person's attention
// (EN 50160 voltage and frequency, devices offline, lost or silent, batteries outside their state
// of charge limits, instructions that failed). See README.md.
import type { Element } from "ltx/lib/ltx.js";
import type { DeviceView } from "../../src/app/model.ts";
import type { EnergyApp } from "../../src/app/types.ts";
import { AlarmError, encodeAlarm, parseAlarm, type Alarm } from "./alarm.ts";
import { AlarmBook } from "./book.ts";
import { verdicts } from "./conditions.ts";
import { MonitorConfigSchema, type MonitorConfig } from "./config.ts";

export interface MonitorApp extends EnergyApp {
  /** Alarms raised since start. */
  readonly raised: number;
  readonly active: Alarm[];
}

const NODE_PREFIX = "alarms/";

/** Items of a previous run that do not read as alarms are left alone: only raised alarms matter here. */
const readable = (payload: Element): Alarm[] => {
  try {
    return [parseAlarm(payload)];
  } catch (err) {
    if (err instanceof AlarmError) return [];
    throw err;
  }
};

export function monitor(input: unknown = {}): MonitorApp {
  const cfg: MonitorConfig = MonitorConfigSchema.parse(input);
  const book = new AlarmBook(cfg.silentAfterMs);
  /** When the monitor first saw each device online, in its current stretch online. */
  const onlineSince = new Map<string, number>();
  /** alarms/<site> nodes whose items the book took over. */
  const adopted = new Set<string>();
  const siteOf = (d: DeviceView): string | undefined => {
    const site = d.tags.SITE;
    return typeof site === "string" && site && (!cfg.sites || cfg.sites.includes(site)) ? site : undefined;
  };

  return {
    name: "monitor",
    // The registry ANDs its operators: one site is searched for, several are filtered here.
    search: cfg.sites?.length === 1 ? [{ op: "strEq", name: "SITE", value: cfg.sites[0]! }] : [{ op: "strMask", name: "SITE", value: "*", wildcard: "*" }],
    // Its own nodes, to take over what a previous run left raised.
    follow: (devices) => [...new Set(devices.flatMap((d) => { const s = siteOf(d); return s ? [NODE_PREFIX + s] : []; }))],
    get raised() { return book.raisedCount; },
    get active() { return book.active; },
    plan(ctx) {
      const now = ctx.now.getTime();
      for (const [node, items] of ctx.nodes) {
        if (!node.startsWith(NODE_PREFIX) || adopted.has(node)) continue;
        adopted.add(node);
        book.adopt(node.slice(NODE_PREFIX.length), [...items.values()].flatMap(readable), now);
      }
      const reports = ctx.devices.flatMap((d) => {
        const site = siteOf(d);
        if (!site) return [];
        if (d.presence !== "online") onlineSince.delete(d.rid);
        else if (!onlineSince.has(d.rid)) onlineSince.set(d.rid, now);
        return [{ site, device: d.rid, verdicts: verdicts(d, cfg, { now, tracked: ctx.instructions.get(d.rid), onlineSince: onlineSince.get(d.rid) }) }];
      });
      return book.update(reports, ctx.now).map(({ site, alarm }) => ({ type: "publish" as const, node: NODE_PREFIX + site, itemId: alarm.id, payload: encodeAlarm(alarm) }));
    },
  };
}

export { MonitorConfigSchema, type MonitorConfig } from "./config.ts";
export { AlarmError, encodeAlarm, parseAlarm, NS_ALARM, type Alarm } from "./alarm.ts";
