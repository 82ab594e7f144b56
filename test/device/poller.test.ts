import { afterEach, describe, expect, it } from "vitest";
import { Poller } from "../../src/device/poller.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";

const pollers: Poller<unknown>[] = [];
afterEach(async () => { for (const p of pollers.splice(0)) await p.stop(); });

/** A device that answers with the next value, or fails while `down`. */
function device() {
  const d = { down: false, reads: 0, read: async () => { d.reads++; if (d.down) throw new Error("no answer"); return d.reads; } };
  return d;
}

describe("Poller", () => {
  it("reads at once and then every interval", async () => {
    const d = device();
    const seen: number[] = [];
    const p = new Poller({ intervalMs: 5, read: d.read, onData: (v) => seen.push(v), sink: new RecordingSink() });
    pollers.push(p);
    await p.start();
    expect(seen).toEqual([1]);
    await expect.poll(() => seen.length).toBeGreaterThanOrEqual(3);
  });

  it("reports a loss once, retries, and reports the recovery", async () => {
    const d = device();
    const sink = new RecordingSink();
    const p = new Poller({ intervalMs: 5, read: d.read, onData: () => undefined, sink, describe: (e) => `meter: ${(e as Error).message}`, backoff: { initialMs: 2, maxMs: 4, factor: 2, jitter: 0 } });
    pollers.push(p);
    d.down = true;
    await p.start();
    expect(p.lost).toBe(true);
    await expect.poll(() => d.reads).toBeGreaterThanOrEqual(4);
    expect(sink.events).toEqual([{ type: "lost", reason: "meter: no answer" }]);
    d.down = false;
    await expect.poll(() => sink.events.at(-1)?.type).toBe("recovered");
    expect(p.lost).toBe(false);
    expect(sink.events.filter((e) => e.type === "lost")).toHaveLength(1);
  });

  it("never runs two reads at once, even when polled out of turn", async () => {
    let running = 0, overlap = false, reads = 0;
    const read = async () => {
      overlap ||= ++running > 1;
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return ++reads;
    };
    const p = new Poller({ intervalMs: 1_000, read, onData: () => undefined, sink: new RecordingSink() });
    pollers.push(p);
    await Promise.all([p.start(), p.poll(), p.poll()]);
    expect(reads).toBe(3);
    expect(overlap).toBe(false);
  });
});
