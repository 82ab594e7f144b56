// The monitor app: raises and clears alarms on alarms/<site> for what needs a person's attention
// (EN 50160 voltage, frequency, devices offline, lost or silent, batteries outside their state of
// charge limits, instructions that failed). See README.md.
import type { EnergyApp } from "../../src/app/types.ts";
import { encodeAlarm, type Alarm } from "./alarm.ts";
import { AlarmBook } from "./book.ts";
import { findings } from "./conditions.ts";
import { MonitorConfigSchema, type MonitorConfig } from "./config.ts";

export interface MonitorApp extends EnergyApp {
  /** Alarms raised since start. */
  readonly raised: number;
  readonly active: Alarm[];
}

export function monitor(input: unknown = {}): MonitorApp {
  const cfg: MonitorConfig = MonitorConfigSchema.parse(input);
  const book = new AlarmBook();
  /** When each device was first seen online (a device that never measured is silent from then). */
  const onlineSince = new Map<string, number>();
  const sites = cfg.sites && new Set(cfg.sites);
  return {
    name: "monitor",
    search: [{ op: "strMask", name: "SITE", value: "*", wildcard: "*" }],
    get raised() { return book.raisedCount; },
    get active() { return book.active; },
    plan(ctx) {
      const now = ctx.now.getTime();
      const found = ctx.devices.flatMap((d) => {
        const site = String(d.tags.SITE ?? "");
        if (!site || (sites && !sites.has(site))) return [];
        if (d.presence === "online") { if (!onlineSince.has(d.rid)) onlineSince.set(d.rid, now); }
        else onlineSince.delete(d.rid);
        return findings(d, now, cfg, ctx.instructions.get(d.rid), (id) => book.isRaised(id), onlineSince.get(d.rid)).map((f) => ({ ...f, site }));
      });
      return book.update(found, ctx.now).map(({ site, alarm }) => ({ type: "publish" as const, node: `alarms/${site}`, itemId: alarm.id, payload: encodeAlarm(alarm) }));
    },
  };
}

export { MonitorConfigSchema, type MonitorConfig } from "./config.ts";
export { encodeAlarm, parseAlarm, NS_ALARM, type Alarm } from "./alarm.ts";
