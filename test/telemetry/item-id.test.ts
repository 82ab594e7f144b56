import { describe, expect, it } from "vitest";
import { isNewerItem, PackLedger, telemetryItemId, telemetryItemOrder } from "../../src/telemetry/index.ts";

describe("telemetry item ids", () => {
  it("order by the device's run, then by sequence (not as strings)", () => {
    const run = Date.UTC(2026, 10, 22);
    expect(telemetryItemOrder(telemetryItemId(run, 10))).toEqual([run, 10]);
    expect(isNewerItem(telemetryItemId(run, 10), telemetryItemId(run, 9))).toBe(true);
    expect(isNewerItem(telemetryItemId(run, 1), telemetryItemId(run - 1, 99))).toBe(true);
    expect(isNewerItem(telemetryItemId(run, 9), telemetryItemId(run, 10))).toBe(false);
    expect(telemetryItemOrder("a uuid")).toBeUndefined();
  });

  it("a ledger takes each pack once, fills gaps later, and ignores history before its first pack", () => {
    const run = 1_000_000, id = (seq: number, r = run) => telemetryItemId(r, seq);
    const ledger = new PackLedger();
    expect(ledger.started).toBe(false);
    expect(ledger.take(id(5))).toBe(true);
    expect(ledger.take(id(5))).toBe(false);
    expect(ledger.take(id(4))).toBe(false); // before the first pack: history
    expect(ledger.take(id(9))).toBe(true); // 6-8 missed
    expect(ledger.take(id(9))).toBe(false);
    expect([6, 7, 8, 10].map((s) => ledger.take(id(s)))).toEqual([true, true, true, true]);
    expect([6, 7, 8, 10].map((s) => ledger.take(id(s)))).toEqual([false, false, false, false]);
    // The device restarted: a new run counts from its own first pack; the old run is over.
    expect(ledger.take(id(1, run + 5))).toBe(true);
    expect(ledger.take(id(11))).toBe(false);
  });

  it("a ledger gives up a gap that outlived the node's items", () => {
    const ledger = new PackLedger(), id = (seq: number) => telemetryItemId(7, seq);
    ledger.take(id(1));
    for (let s = 3; s < 3 + 600; s++) ledger.take(id(s));
    expect(ledger.take(id(2))).toBe(false);
    expect(ledger.take(id(603))).toBe(true);
  });
});
