// The publishers' order and retry logic, against a recording stand-in for the pubsub service
// (the real service is exercised in test/integration/device-*.test.ts).
import { readFileSync } from "node:fs";
import type { Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { ControlSpacePublisher, MAX_PACKS_PER_ITEM, TelemetryPublisher } from "../../src/device/publisher.ts";
import { decode, type EfiMessage } from "../../src/efi/index.ts";
import { pack, packFromXml, resolve } from "../../src/telemetry/index.ts";
import type { PubsubClient } from "../../src/xmpp/index.ts";

/** Records publishes and retracts, holding `onNode`; fails the next `failures` calls like a dropped connection. */
function service() {
  const calls: { op: "publish" | "retract" | "items"; id: string; payload?: Element }[] = [];
  const s = {
    calls,
    failures: 0,
    onNode: [] as string[],
    async items() {
      calls.push({ op: "items", id: "" });
      return s.onNode.map((id) => ({ id }));
    },
    async publish(_node: string, payload: Element, id: string) {
      if (s.failures > 0) { s.failures--; throw new Error("not connected"); }
      calls.push({ op: "publish", id, payload });
      return id;
    },
    async retract(_node: string, id: string) {
      calls.push({ op: "retract", id });
    },
  };
  return s;
}
const as = (s: ReturnType<typeof service>) => s as unknown as PubsubClient;

const header = (t: number) => ({ efiResourceId: "bat-1", timestamp: new Date(t).toISOString() });
const measurement = (t: number, power: number): EfiMessage =>
  ({ kind: "Measurement", header: header(t), measurementTimestamp: new Date(t).toISOString(), electricityMeasurement: { power } });
const revoke = (t: number): EfiMessage => ({ kind: "FlexibilityRevoke", header: header(t) });
const registration = (kind: "StorageRegistration" | "AdjustableRegistration"): EfiMessage =>
  decode(readFileSync(new URL(`../efi/examples/${kind}.xml`, import.meta.url), "utf8"));

describe("ControlSpacePublisher", () => {
  it("waits until the node is open, then sends the latest message of each kind once", async () => {
    const s = service();
    const p = new ControlSpacePublisher(as(s), "efi/bat-1", {});
    p.set([measurement(1, 100)]);
    p.set([measurement(2, 200), revoke(2)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toEqual([]);
    p.open = true;
    p.republish();
    await expect.poll(() => s.calls.map((c) => c.id)).toEqual(["Measurement", "FlexibilityRevoke"]);
    expect(s.calls[0]!.payload!.toString()).toContain('efi:power="200"'); // the latest, not the first
    p.stop();
  });

  it("does not send again a message that only repeats the published one", async () => {
    const s = service();
    const p = new ControlSpacePublisher(as(s), "efi/bat-1", {});
    p.open = true;
    p.set([revoke(1)]);
    await expect.poll(() => s.calls.length).toBe(1);
    p.set([revoke(5)]); // the same message made later: only the header's timestamp differs
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toHaveLength(1);
    p.set([measurement(6, 150), revoke(7)]);
    await expect.poll(() => s.calls.map((c) => c.id)).toEqual(["FlexibilityRevoke", "Measurement"]);
    p.stop();
  });

  it("sends a kind with a minimum interval at most that often, and the latest when the interval is over", async () => {
    const s = service();
    const p = new ControlSpacePublisher(as(s), "efi/bat-1", { Measurement: 80 });
    p.open = true;
    p.set([measurement(1, 1)]);
    await expect.poll(() => s.calls.length).toBe(1);
    p.set([measurement(2, 2)]);
    p.set([measurement(3, 3)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.calls).toHaveLength(1);
    await expect.poll(() => s.calls.length).toBe(2);
    expect(s.calls[1]!.payload!.toString()).toContain('efi:power="3"');
    p.stop();
  });

  it("by default sends a burst of instruction statuses as one write now and the latest a second later", async () => {
    const s = service();
    const p = new ControlSpacePublisher(as(s), "efi/bat-1");
    p.open = true;
    const status = (t: number, state: string): EfiMessage => ({ kind: "InstructionStatusUpdate", header: header(t), instructionId: "i-1", status: state } as EfiMessage);
    p.set([status(1, "ACCEPTED")]);
    await expect.poll(() => s.calls.length).toBe(1);
    p.set([status(2, "STARTED")]);
    p.set([status(3, "SUCCEEDED")]);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.calls).toHaveLength(1);
    await expect.poll(() => s.calls.length, { timeout: 2_000 }).toBe(2);
    expect(s.calls[1]!.payload!.toString()).toContain("SUCCEEDED");
    p.stop();
  });

  it("retries after a failure and retracts what is withdrawn", async () => {
    const s = service();
    s.failures = 2;
    const p = new ControlSpacePublisher(as(s), "efi/bat-1", {});
    p.open = true;
    p.set([revoke(1)]);
    await expect.poll(() => s.calls.map((c) => `${c.op} ${c.id}`)).toEqual(["publish FlexibilityRevoke"]);
    p.retract("FlexibilityRevoke");
    await expect.poll(() => s.calls.map((c) => `${c.op} ${c.id}`)).toEqual(["publish FlexibilityRevoke", "retract FlexibilityRevoke"]);
    expect(p.latest("FlexibilityRevoke")).toBeUndefined();
    p.stop();
  });

  it("prunes what it may not hold: the kinds it holds before publishing, those a previous run left once the node is read after publishing", async () => {
    const s = service();
    s.onNode = ["StorageSystemDescription", "Measurement", "AdjustableStatus"];
    const p = new ControlSpacePublisher(as(s), "efi/ev-1", {});
    p.set([registration("StorageRegistration"), measurement(1, 5)]);
    const adjustableOnly = (id: string) => !id.startsWith("Storage");
    p.prune(adjustableOnly);
    expect(p.latest("StorageRegistration")).toBeUndefined();
    p.set([registration("AdjustableRegistration")]);
    p.open = true;
    p.kick();
    await expect.poll(() => s.calls.map((c) => `${c.op} ${c.id}`)).toEqual([
      "retract StorageRegistration", "publish Measurement", "publish AdjustableRegistration", "items ", "retract StorageSystemDescription",
    ]);
    // Pruning is done: later publishes do not read the node again.
    p.set([measurement(2, 6)]);
    await expect.poll(() => s.calls.length).toBe(6);
    expect(s.calls.at(-1)).toMatchObject({ op: "publish", id: "Measurement" });
    p.stop();
  });
});

describe("TelemetryPublisher", () => {
  const soc = (v: number) => pack("bat-1/", new Date(1_795_341_600_000 + v * 1000), [{ n: "soc", u: "%EL", v }]);
  const values = (payload: Element | undefined) => resolve(packFromXml(payload!)).map((r) => [r.n, r.t, r.v]);

  it("sends packs that queued up as one item, in order, under the last one's id, again as they were after a failure", async () => {
    const s = service();
    const p = new TelemetryPublisher(as(s), "telemetry/bat-1", 100);
    const ids = [1, 2, 3].map((v) => p.push(soc(v)));
    expect(new Set(ids).size).toBe(3);
    expect(p.outbox.size).toBe(3);
    s.failures = 2;
    p.open = true;
    p.kick();
    p.push(soc(4)); // while the first publish fails: it waits for the next item
    await expect.poll(() => s.calls.map((c) => c.id)).toEqual([ids[2], expect.any(String)]);
    // Each pack keeps its own base name and time: the consumer resolves every record as sent.
    expect(values(s.calls[0]!.payload)).toEqual([1, 2, 3].map((v) => ["bat-1/soc", 1_795_341_600 + v, v]));
    expect(values(s.calls[1]!.payload)).toEqual([["bat-1/soc", 1_795_341_604, 4]]);
    expect(p.published).toBe(4);
    expect(p.outbox.size).toBe(0);
    p.stop();
  });

  it("puts at most MAX_PACKS_PER_ITEM packs in an item, and a pack alone when nothing waits", async () => {
    const s = service();
    const p = new TelemetryPublisher(as(s), "telemetry/bat-1", 1_000);
    const ids = Array.from({ length: 2 * MAX_PACKS_PER_ITEM + 1 }, (_, v) => p.push(soc(v)));
    p.open = true;
    p.kick();
    await expect.poll(() => s.calls.map((c) => c.id)).toEqual([ids[MAX_PACKS_PER_ITEM - 1], ids[2 * MAX_PACKS_PER_ITEM - 1], ids.at(-1)]);
    expect(s.calls.map((c) => values(c.payload).length)).toEqual([MAX_PACKS_PER_ITEM, MAX_PACKS_PER_ITEM, 1]);
    expect(s.calls.flatMap((c) => values(c.payload).map((r) => r[2]))).toEqual(ids.map((_, v) => v));
    const alone = p.push(soc(500));
    await expect.poll(() => s.calls.at(-1)?.id).toBe(alone);
    expect(values(s.calls.at(-1)!.payload)).toHaveLength(1);
    p.stop();
  });

  it("drops the oldest packs beyond its capacity", () => {
    const p = new TelemetryPublisher(as(service()), "telemetry/bat-1", 2);
    for (let v = 0; v < 5; v++) p.push(pack("bat-1/", new Date(), [{ n: "soc", v }]));
    expect(p.outbox.size).toBe(2);
    expect(p.outbox.dropped).toBe(3);
  });
});
