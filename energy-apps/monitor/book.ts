// The monitor's memory: which alarms are raised. Fed the findings of one evaluation, it says which
// alarms to publish: new ones raised, vanished ones cleared, nothing for what did not change.
import type { Alarm } from "./alarm.ts";
import type { Finding } from "./conditions.ts";

export interface AlarmChange {
  site: string;
  alarm: Alarm;
}

export class AlarmBook {
  readonly #raised = new Map<string, { alarm: Alarm; site: string }>();
  #count = 0;

  /** Alarms raised since the monitor started. */
  get raisedCount(): number { return this.#count; }
  get active(): Alarm[] { return [...this.#raised.values()].map((r) => r.alarm); }
  isRaised(id: string): boolean { return this.#raised.has(id); }

  /**
   * `found`: every condition that holds now, with its site, for the devices in `scope`. Alarms
   * of devices outside `scope` (no longer monitored) are cleared too.
   */
  update(found: readonly (Finding & { site: string })[], now: Date): AlarmChange[] {
    const since = now.toISOString();
    const changes: AlarmChange[] = [];
    const holding = new Set(found.map((f) => f.id));
    for (const [id, r] of this.#raised) {
      if (holding.has(id)) continue;
      this.#raised.delete(id);
      changes.push({ site: r.site, alarm: { ...r.alarm, state: "cleared", since, text: `cleared: ${r.alarm.text}` } });
    }
    for (const { site, ...f } of found) {
      if (this.#raised.has(f.id)) continue;
      const alarm: Alarm = { ...f, state: "raised", since };
      this.#raised.set(f.id, { alarm, site });
      this.#count++;
      changes.push({ site, alarm });
    }
    return changes;
  }
}
