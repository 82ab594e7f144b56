import { describe, expect, it } from "vitest";
import type { Alarm } from "./alarm.ts";
import { AlarmBook, type Report } from "./book.ts";
import type { Verdict } from "./conditions.ts";

const T0 = Date.parse("2026-11-22T12:00:00Z");
const at = (ms: number) => new Date(T0 + ms);
const high: Verdict = { kind: "voltage", holds: true, severity: "warning", value: 256, limit: 253, text: "p1 measures 256 V" };
const fine: Verdict = { kind: "voltage", holds: false, value: 231, text: "p1 measures 231 V" };
const report = (...verdicts: Verdict[]): Report => ({ site: "home-1", device: "p1", verdicts });
/** What a change publishes, in short. */
const brief = (changes: { site: string; alarm: Alarm }[]) => changes.map(({ site, alarm: a }) => `${site} ${a.id} ${a.state} ${a.severity} ${a.since.slice(11, 19)} ${a.value ?? "-"}/${a.limit ?? "-"}`);

describe("the alarm book", () => {
  it("raises once while a condition holds and clears once when it ends, with the value now and the limit crossed", () => {
    const book = new AlarmBook(60_000);
    expect(brief(book.update([report(high)], at(0)))).toEqual(["home-1 voltage:p1 raised warning 12:00:00 256/253"]);
    expect(book.update([report(high)], at(1_000))).toEqual([]);
    const [clear] = book.update([report(fine)], at(2_000));
    expect(clear).toEqual({ site: "home-1", alarm: { id: "voltage:p1", kind: "voltage", device: "p1", state: "cleared", severity: "warning", since: at(2_000).toISOString(), value: 231, limit: 253, text: "p1 measures 231 V" } });
    expect(book.update([report(fine)], at(3_000))).toEqual([]);
    expect(book.raisedCount).toBe(1);
    expect(book.active).toEqual([]);
  });

  it("leaves an alarm as it is while its condition cannot be judged", () => {
    const book = new AlarmBook(60_000);
    book.update([report(high)], at(0));
    expect(book.update([report()], at(1_000))).toEqual([]);
    expect(book.active.map((a) => a.id)).toEqual(["voltage:p1"]);
  });

  it("publishes again when a warning grows critical (same since), not when it eases", () => {
    const book = new AlarmBook(60_000);
    book.update([report(high)], at(0));
    expect(brief(book.update([report({ ...high, severity: "critical", value: 262 })], at(1_000)))).toEqual(["home-1 voltage:p1 raised critical 12:00:00 262/253"]);
    expect(book.update([report(high)], at(2_000))).toEqual([]);
  });

  it("keeps alarms per site: the same device's alarm on another site's node is another item", () => {
    const book = new AlarmBook(60_000);
    const changes = book.update([report(high), { ...report(high), site: "home-2" }], at(0));
    expect(changes.map((c) => c.site)).toEqual(["home-1", "home-2"]);
  });

  it("takes over what a previous run left raised: cleared when the condition ended, not raised twice", () => {
    const book = new AlarmBook(60_000);
    const old = (id: string, kind: Alarm["kind"], state: Alarm["state"]): Alarm => ({ id, kind, device: "p1", state, severity: "critical", since: "2026-11-22T11:00:00.000Z", text: "earlier" });
    book.adopt("home-1", [old("voltage:p1", "voltage", "raised"), old("offline:p1", "offline", "raised"), old("silent:p1", "silent", "cleared")], T0);
    const offlineEnded: Verdict = { kind: "offline", holds: false, text: "p1 is online again" };
    expect(brief(book.update([report(high, offlineEnded)], at(0)))).toEqual(["home-1 offline:p1 cleared critical 12:00:00 -/-"]);
    expect(book.active).toMatchObject([{ id: "voltage:p1", since: "2026-11-22T11:00:00.000Z" }]);
    expect(book.raisedCount).toBe(0);
  });

  it("clears the alarms of a device it no longer hears of once goneAfterMs has passed", () => {
    const book = new AlarmBook(60_000);
    book.update([report(high)], at(0));
    expect(book.update([], at(60_000))).toEqual([]);
    const [gone] = book.update([], at(60_001));
    expect(gone!.alarm).toMatchObject({ id: "voltage:p1", state: "cleared", limit: 253, text: expect.stringMatching(/no longer sees p1/) });
    expect(gone!.alarm.value).toBeUndefined();
    // An adopted alarm of a device never heard of goes the same way.
    book.adopt("home-1", [{ id: "soc:b", kind: "soc", device: "b", state: "raised", severity: "warning", since: "2026-11-22T11:00:00Z", text: "low" }], T0 + 70_000);
    expect(book.update([], at(100_000))).toEqual([]);
    expect(brief(book.update([], at(130_001)))).toEqual(["home-1 soc:b cleared warning 12:02:10 -/-"]);
  });
});
