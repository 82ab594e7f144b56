// The monitor's memory: which alarms are raised, per site. Fed each device's verdicts, it says
// which alarms to publish: an alarm raised when its condition begins, the same item cleared when it
// ends, raised again (same `since`) when it grows critical, and nothing for what did not change.
import { alarmId, type Alarm } from "./alarm.ts";
import type { Verdict } from "./conditions.ts";

/** What the monitor judged of one device of a site. */
export interface Report {
  site: string;
  device: string;
  verdicts: readonly Verdict[];
}

export interface AlarmChange {
  site: string;
  alarm: Alarm;
}

const key = (site: string, id: string) => `${site}\n${id}`;

/** An alarm without its optional numbers where they are unknown (the XML has no empty attributes). */
const numbers = (value?: number, limit?: number) => ({ ...(value !== undefined ? { value } : {}), ...(limit !== undefined ? { limit } : {}) });

export class AlarmBook {
  readonly #raised = new Map<string, AlarmChange>();
  /** When each device (site and rid) last had a verdict, ms. */
  readonly #seen = new Map<string, number>();
  #count = 0;

  /** `goneAfterMs`: a device with no verdict for this long (removed, no longer readable) has its alarms cleared. */
  constructor(private readonly goneAfterMs: number) {}

  /** Alarms raised since the monitor started. */
  get raisedCount(): number { return this.#count; }
  get active(): Alarm[] { return [...this.#raised.values()].map((r) => r.alarm); }

  /**
   * The items found on alarms/<site> when the monitor starts: the raised ones (a previous run's)
   * count as raised, so they clear when their condition has ended and are not raised twice.
   */
  adopt(site: string, alarms: readonly Alarm[], now: number): void {
    for (const alarm of alarms) {
      const k = key(site, alarm.id);
      if (alarm.state !== "raised" || this.#raised.has(k)) continue;
      this.#raised.set(k, { site, alarm });
      if (!this.#seen.has(key(site, alarm.device))) this.#seen.set(key(site, alarm.device), now);
    }
  }

  update(reports: readonly Report[], now: Date): AlarmChange[] {
    const t = now.getTime(), since = now.toISOString();
    const changes: AlarmChange[] = [];
    const clear = (k: string, { site, alarm }: AlarmChange, text: string, value?: number) => {
      this.#raised.delete(k);
      const { value: _was, limit, ...rest } = alarm;
      changes.push({ site, alarm: { ...rest, ...numbers(value, limit), state: "cleared", since, text } });
    };

    for (const { site, device, verdicts } of reports) {
      if (verdicts.length) this.#seen.set(key(site, device), t);
      for (const v of verdicts) {
        const id = alarmId(v.kind, device), k = key(site, id);
        const known = this.#raised.get(k);
        if (!v.holds) {
          if (known) clear(k, known, v.text, v.value);
          continue;
        }
        if (known && !(known.alarm.severity === "warning" && v.severity === "critical")) continue;
        const alarm: Alarm = {
          id, kind: v.kind, device, state: "raised", severity: v.severity, since: known?.alarm.since ?? since, text: v.text, ...numbers(v.value, v.limit),
        };
        this.#raised.set(k, { site, alarm });
        if (!known) this.#count++;
        changes.push({ site, alarm });
      }
    }

    for (const [k, r] of this.#raised) {
      if (t - (this.#seen.get(key(r.site, r.alarm.device)) ?? -Infinity) > this.goneAfterMs) {
        clear(k, r, `the monitor no longer sees ${r.alarm.device} (removed from the registry, not readable, or its state unknown)`);
      }
    }
    for (const [s, at] of this.#seen) if (t - at > this.goneAfterMs) this.#seen.delete(s);
    return changes;
  }
}
