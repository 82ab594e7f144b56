import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { logger } from "../../src/log/index.ts";
import { ModbusTcpServer, RegisterImage } from "../modbus/index.ts";
import { BatteryConfigSchema } from "./config.ts";
import { BatteryDriver } from "./driver.ts";

// A vendor battery: SoC in 0.1 %, power int32 low word first (discharge positive), mode register.
const MAP = {
  name: "Acme ESS 9.6",
  nameplate: { manufacturer: "Acme", serialNumber: "ACME-1", capacityWh: 9600 },
  powerSign: "discharge-positive",
  points: {
    soc: { address: 100, scale: 0.1 },
    power: { address: 101, type: "int32", wordOrder: "little" },
    maxChargeW: { address: 103 },
    maxDischargeW: { address: 104 },
    mode: { address: 200, values: { auto: 0, charge: 1, idle: 2, discharge: 3 } },
    chargeSetpointW: { address: 201 },
    dischargeSetpointW: { address: 202 },
  },
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(config: Record<string, unknown>) {
  const image = new RegisterImage();
  image.regs.set([612, 0xf830, 0xffff, 4000, 3000], 100); // 61.2 %, -2000 W (= charging 2000 W), 4 kW / 3 kW
  image.regs.set([1, 2000, 0], 200);
  const server = new ModbusTcpServer(image);
  const { host, port } = await server.start();
  const driver = new BatteryDriver(
    BatteryConfigSchema.parse({ transport: { type: "tcp", host, port }, pollMs: 20, timeoutMs: 200, minModeSeconds: 0, ...config }),
    { resourceId: "acme-1", log: logger("test"), now: () => new Date(0) },
  );
  const sink = new RecordingSink();
  cleanup.push(() => server.stop(), () => driver.stop());
  await driver.start(sink);
  return { image, driver, sink };
}

describe("sunspec-battery with a register map", () => {
  it("reads the roles in their types, scales and word order, and writes mode and setpoints", async () => {
    const { image, driver, sink } = await rig({ registerMap: MAP });
    expect(sink.latest("StorageStatus")).toMatchObject({ currentFillLevel: 61.2, actuatorStatuses: [{ currentRunningMode: 0, runningModeFactor: 0.5 }] });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(2000);
    expect(sink.latest("StorageRegistration")!.deviceDescription).toEqual({ deviceClass: "Stationary Battery", serialNumber: "ACME-1", label: "Acme Acme ESS 9.6" });
    const sd = sink.latest("StorageSystemDescription")!;
    expect(sd.actuatorBehaviours[0]!.timers).toBeUndefined();
    const discharge = sd.actuatorBehaviours[0]!.runningModes[2]!;
    expect(discharge.type === "continuous" && discharge.continuousRunningModeElement[0]!.upperBound.electricalPower).toBe(-3000);

    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 2, factor: 0.5 });
    expect(Array.from(image.regs.subarray(200, 203))).toEqual([3, 2000, 1500]);
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 1 });
    expect(image.regs[200]).toBe(2);
    await driver.release();
    expect(image.regs[200]).toBe(0);
  });

  it("loads the map from a file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "battery-map-"));
    try {
      const file = path.join(dir, "acme.json");
      writeFileSync(file, JSON.stringify(MAP));
      const { sink } = await rig({ registerMapFile: file });
      expect(sink.latest("StorageStatus")!.currentFillLevel).toBe(61.2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a map given both inline and as a file", () => {
    const r = BatteryConfigSchema.safeParse({ transport: { type: "tcp", host: "x" }, registerMap: MAP, registerMapFile: "/x.json" });
    expect(r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["registerMapFile: give registerMap or registerMapFile, not both"]);
  });
});
