// xep/devices.md's telemetry table is what the drivers send: every family's driver, run against its
// own simulator (as a simulated site runs it), sends only the records the table lists for the
// family, with the unit it gives, and every record it marks "always".
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAMILIES } from "../../drivers/index.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { logger } from "../../src/log/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import { REPO_ROOT } from "../efi/xsd.ts";

interface Row { family: string; name: RegExp; unit: string | undefined; always: boolean }

/** The table of the "Telemetry" section; a name cell may hold several names, `L1..L3` one per phase, `0-n:` an M-Bus channel. */
function table(): Row[] {
  const doc = readFileSync(path.join(REPO_ROOT, "xep/devices.md"), "utf8");
  const section = /^## \d+\. Telemetry\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(doc)?.[1] ?? "";
  const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
  const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return section.split("\n").filter((l) => l.startsWith("| `")).flatMap((line) => {
    const [family, names, unit, , sent] = cells(line);
    return code(names!).map((n) => ({
      family: code(family!)[0]!,
      name: new RegExp(`^${n.replace(/[.]/g, "\\.").replace("L1\\.\\.L3", "L[123]").replace(/^0-n:/, "0-[1-4]:")}$`),
      unit: unit === "none" ? undefined : code(unit!)[0],
      always: sent === "always",
    }));
  });
}

/** What a run needs besides the simulation's settings: a quick poll, and what makes optional records appear. */
const RUN: Record<string, { simulation?: Record<string, unknown>; driver?: Record<string, unknown> }> = {
  "sunspec-battery": { driver: { pollMs: 50 } },
  "sunspec-meter": { driver: { pollMs: 50 } },
  "sunspec-pv": { driver: { pollMs: 50 } },
  "ocpp-charger": { simulation: { carSocPct: 40, meterIntervalMs: 1_000 } },
  "fronius-solar-api": { simulation: { socPct: 60 }, driver: { pollMs: 50 } },
  "heat-pump": { driver: { pollMs: 50 } },
  dishwasher: { driver: { pollMs: 50 } },
  generator: { driver: { pollMs: 50 } },
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe("xep/devices.md telemetry table", () => {
  const rows = table();

  it("lists the families flexfed ships, and only those", () => {
    expect([...new Set(rows.map((r) => r.family))].sort()).toEqual(FAMILIES.map((f) => f.type).sort());
  });

  for (const family of FAMILIES) {
    it(`is what ${family.type} sends`, async () => {
      const mine = rows.filter((r) => r.family === family.type);
      const run = RUN[family.type] ?? {};
      const sim = await family.simulate!(`${family.type}-1`, run.simulation ?? {}, { now: Date.now, siteW: () => 0 });
      cleanup.push(() => sim.stop());
      const driver = family.create(family.config.parse({ ...sim.settings, ...run.driver }), { resourceId: `${family.type}-1`, log: logger("test"), now: () => new Date() });
      const sink = new RecordingSink();
      cleanup.push(() => driver.stop());
      await driver.start(sink);
      const sent = (): Reading[] => sink.events.flatMap((e) => (e.type === "telemetry" ? e.readings : []));
      // A few samples, and at least one with each record marked always.
      await vi.waitFor(() => {
        expect(sink.events.filter((e) => e.type === "telemetry").length).toBeGreaterThanOrEqual(3);
        for (const row of mine.filter((r) => r.always)) expect(sent().map((r) => r.n), `${row.name}`).toContainEqual(expect.stringMatching(row.name));
      }, { timeout: 15_000, interval: 50 });
      const unlisted = sent().filter((r) => !mine.some((row) => row.name.test(r.n) && row.unit === r.u));
      expect(unlisted.map((r) => `${r.n} ${r.u ?? "(no unit)"}`)).toEqual([]);
    }, 20_000);
  }
});
