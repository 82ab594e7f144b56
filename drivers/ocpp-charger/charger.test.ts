import { afterEach, describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { SimulatedWorld } from "../../src/device/simulation.ts";
import { logger } from "../../src/log/index.ts";
import { decode, encode, type EfiMessage } from "../../src/efi/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import { ocppCharger } from "./index.ts";
import { ChargePointSimulator } from "./simulator.ts";
import { kinds, rig, T0, type Rig } from "./test-rig.ts";

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0).reverse()) await r.stop();
});
const start = async (...args: Parameters<typeof rig>) => {
  const r = await rig(...args);
  rigs.push(r);
  return r;
};
const charge = (factor: number) => ({ category: "storage" as const, actuatorId: 0, runningModeId: 0, factor });
const idle = { category: "storage" as const, actuatorId: 0, runningModeId: 1 };
const plugged = (ms: readonly EfiMessage[]) => ms.some((m) => m.kind === "StorageSystemDescription");

describe("ocpp-charger driver against the simulated charge point over OCPP-J", () => {
  it("is lost until the charge point dials in, then takes its identity from the BootNotification", async () => {
    const { sim, sink } = await start();
    expect(sink.events[0]).toMatchObject({ type: "lost", reason: expect.stringMatching(/^charge point CP-1 has not connected to ws:\/\/127\.0\.0\.1:\d+\/CP-1 yet$/) });
    const identity = sink.next((e) => e.type === "identity");
    await sim.connect();
    expect(await identity).toEqual({
      type: "identity",
      tags: { MAN: "Alfen", MODEL: "Eve Single", SN: "ACE0123", V: "6.1.0", CLASS: "Electrical Vehicle", EFI: "storage", PMAX: 16 * 230 * 3 },
    });
    expect(sink.events.some((e) => e.type === "recovered")).toBe(true);
    // No car: a registration, no flexibility.
    expect(sink.latest("StorageRegistration")).toMatchObject({
      deviceDescription: { deviceClass: "Electrical Vehicle", serialNumber: "ACE0123", label: "Alfen Eve Single connector 1" },
      fillLevelUnit: "kWh",
    });
    expect(sink.latest("StorageSystemDescription")).toBeUndefined();
  });

  it("offers a plugged-in car as EFI Storage, every message valid by src/efi and the XSD", async () => {
    const { sim, sink, reported, driver } = await start({ remoteStartIdTag: "flexfed", car: { needKWh: 25, stayHours: 10 } });
    await sim.connect();
    // Plug-in -> Preparing -> flexfed's RemoteStartTransaction -> StartTransaction -> Charging (no profile: the car's 11 kW).
    await sim.plugIn({ maxPowerW: 11_000 });
    await expect.poll(() => driver.state.status).toBe("Charging");
    expect(driver.state).toMatchObject({ status: "Charging", transactionId: expect.any(Number), pluggedAt: T0 });
    const messages = await reported(() => sim.sendMeterValues());
    expect(driver.state.status).toBe("Charging");
    expect(kinds(messages)).toEqual(["StorageSystemDescription", "StorageStatus", "StorageFillLevelTargetProfile", "Measurement"]);
    const sd = sink.latest("StorageSystemDescription")!;
    const [chargeMode, idleMode] = sd.actuatorBehaviours[0]!.runningModes;
    expect(chargeMode).toMatchObject({
      type: "continuous", id: 0, label: "charge",
      continuousRunningModeElement: [{ fillLevelLowerBound: 0, fillLevelUpperBound: 60, lowerBound: { electricalPower: 4140 }, upperBound: { electricalPower: 11040 } }],
    });
    expect(idleMode).toMatchObject({ type: "discrete", id: 1, label: "idle", discreteRunningModeElement: [{ electricalPower: 0 }] });
    expect(sd.validFrom).toBe("2025-06-01T18:00:00.000Z");
    expect(sink.latest("StorageFillLevelTargetProfile")!.targetProfile).toEqual([
      { duration: "PT10H", fillLevelLowerBound: 0, fillLevelUpperBound: 60 },
      { duration: "PT15M", fillLevelLowerBound: 25, fillLevelUpperBound: 60 },
    ]);
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(11_000);
    const all = sink.events.flatMap((e) => (e.type === "controlSpace" ? e.messages : []));
    for (const m of all) expect(decode(encode(m))).toEqual(m);
    expect(xsdErrors(all.map((m) => encode(m)))).toEqual([]);
  });

  it("charges at the power a step asks for: a charging profile in A with the per-phase current", async () => {
    const { sim, sink, driver, reported, advance } = await start({ remoteStartIdTag: "flexfed", car: { targetSocPct: 80, capacityKWh: 50 } });
    await sim.connect();
    await sim.plugIn({ socPct: 40, capacityKWh: 50, maxPowerW: 22_000 });
    await expect.poll(() => driver.state.status).toBe("Charging");
    await driver.apply(charge(0.5));
    // 6..16 A on 3 phases: half way is 11 A (7590 W).
    expect(sim.limit()).toEqual({ limit: 11, unit: "A", purpose: "TxDefaultProfile" });
    expect(sim.connector().powerW).toBeCloseTo(7590, 6);
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]).toEqual({ actuatorId: 0, currentRunningMode: 0, runningModeFactor: 0.5 });
    advance(3_600_000);
    await reported(() => sim.sendMeterValues());
    expect(sink.latest("StorageStatus")!.currentFillLevel).toBeCloseTo(7.59, 3);
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: 7590 });
    expect(sink.reading("currentL2")).toEqual({ n: "currentL2", u: "A", v: 11 });
    expect(sink.reading("sessionEnergy")!.v).toBeCloseTo(7590 * 3600, -2);
    expect(sink.reading("energy")!.v).toBeCloseTo((1000 + 7590) * 3600, -2);
    // The car tells its state of charge: 40 % + 7.59 kWh of 50 kWh; the need is what reaches 80 %.
    expect(sink.reading("soc")!.v).toBeCloseTo(55.2, 1);
    const need = sink.latest("StorageFillLevelTargetProfile")!.targetProfile[1]!.fillLevelLowerBound;
    expect(need).toBeCloseTo(20, 1);

    await driver.apply(idle);
    expect(sim.limit()).toMatchObject({ limit: 0, unit: "A" });
    expect(sim.connector()).toMatchObject({ powerW: 0, status: "SuspendedEVSE" });
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]).toEqual({ actuatorId: 0, currentRunningMode: 1 });

    await driver.release();
    expect(sim.limit()).toBeUndefined();
    expect(sim.connector().powerW).toBe(22_000);
  });

  it("sends limits in W when configured, and a TxProfile for the running transaction", async () => {
    const { sim, driver, reported } = await start({ chargingRateUnit: "W", profilePurpose: "TxProfile", phases: 1, maxCurrentA: 32 });
    await sim.connect();
    await reported(() => sim.plugIn(), plugged);
    const err = await driver.apply(charge(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toBe("a TxProfile needs a running transaction; CP-1 connector 1 has none");
    const tx = await sim.startTransaction();
    await expect.poll(() => driver.state.transactionId).toBe(tx);
    await driver.apply(charge(1));
    expect(sim.limit()).toEqual({ limit: 32 * 230, unit: "W", purpose: "TxProfile" });
    expect(sim.connector().powerW).toBe(32 * 230);
  });

  it("aborts a step the charge point rejects with a DriverError that says so", async () => {
    const { sim, driver, sink, reported } = await start({ remoteStartIdTag: "flexfed" });
    await sim.connect();
    await sim.plugIn();
    await expect.poll(() => driver.state.status).toBe("Charging");
    sim.rejectProfiles = true;
    const err = await driver.apply(charge(0.2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toBe("the charge point rejected the charging profile (TxDefaultProfile 8 A on connector 1: Rejected)");
    expect(sim.limit()).toBeUndefined();
    // Nothing is held: the status shows what the charger does (no power measured yet: idle).
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]!.currentRunningMode).toBe(1);
    await expect(driver.apply({ category: "storage", actuatorId: 0, runningModeId: 5 })).rejects.toThrow("running modes 0 charge and 1 idle, not 5");
  });

  it("revokes its flexibility when the car leaves, and clears its profile for the next car", async () => {
    const { sim, driver, sink, reported, advance } = await start({ remoteStartIdTag: "flexfed" });
    await sim.connect();
    await sim.plugIn();
    await expect.poll(() => driver.state.status).toBe("Charging");
    await driver.apply(charge(0));
    expect(sim.limit()).toMatchObject({ limit: 6 });
    const revoked = await reported(() => sim.unplug(), (ms) => ms.some((m) => m.kind === "FlexibilityRevoke"));
    expect(kinds(revoked)).toEqual(["StorageStatus", "FlexibilityRevoke", "Measurement"]);
    // Not a loss: the only one is from before the charge point first dialed in.
    expect(sink.events.filter((e) => e.type === "lost")).toHaveLength(1);
    await expect.poll(() => sim.limit()).toBeUndefined();
    await expect(driver.apply(charge(1))).rejects.toThrow("no car is plugged in to CP-1 connector 1");
    // The next car is a new session: an instruction for the last one is stale.
    const first = sink.latest("StorageSystemDescription")!.flexibilityUpdateId;
    advance(60_000);
    await reported(() => sim.plugIn(), plugged);
    expect(sink.latest("StorageSystemDescription")!.flexibilityUpdateId).not.toBe(first);
  });

  it("reports the charge point lost when its WebSocket drops, and recovered when it dials in again", async () => {
    const { sim, driver, sink } = await start();
    await sim.connect();
    const lost = sink.next((e) => e.type === "lost");
    await sim.drop();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/^charge point CP-1 closed its OCPP connection \(code \d+/) });
    await expect(driver.apply(charge(1))).rejects.toThrow("charge point CP-1 is not connected");
    const recovered = sink.next((e) => e.type === "recovered");
    const registration = sink.next((e) => e.type === "controlSpace" && e.messages.some((m) => m.kind === "StorageRegistration"));
    await sim.connect();
    await recovered;
    await registration;
  });

  it("refuses a charge point with a wrong password or an unknown id, and takes the right one", async () => {
    const { base, sink } = await start({ password: "s3cret" });
    const wrong = new ChargePointSimulator({ endpoint: base, identity: "CP-1", password: "guess" });
    await expect(wrong.connect()).rejects.toMatchObject({ code: 401 });
    const none = new ChargePointSimulator({ endpoint: base, identity: "CP-1" });
    await expect(none.connect()).rejects.toMatchObject({ code: 401 });
    const stranger = new ChargePointSimulator({ endpoint: base, identity: "CP-9" });
    await expect(stranger.connect()).rejects.toMatchObject({ code: 404 });
    const right = new ChargePointSimulator({ endpoint: base, identity: "CP-1", password: "s3cret" });
    const recovered = sink.next((e) => e.type === "recovered");
    await right.connect();
    await recovered;
    await right.close();
  });

  it("authorizes only the configured idTags", async () => {
    const { sim, driver } = await start({ idTags: ["CARD-1"] });
    await sim.connect();
    await sim.plugIn();
    expect(await sim.startTransaction("CARD-2")).toBeUndefined();
    expect(await sim.startTransaction("CARD-1")).toEqual(expect.any(Number));
    await expect.poll(() => driver.state.transactionId).toEqual(expect.any(Number));
  });

  it("serves two connectors of one charge point through one server, each with its own driver", async () => {
    const a = await start({ remoteStartIdTag: "flexfed" }, { connectors: 2 });
    const b = await start({ remoteStartIdTag: "flexfed", connectorId: 2 });
    expect(b.base).toBe(a.base);
    await a.sim.connect();
    await a.sim.plugIn({}, 2);
    await expect.poll(() => b.driver.state.status).toBe("Charging");
    await b.driver.apply(charge(1));
    expect(a.sim.limit(2)).toMatchObject({ limit: 16 });
    expect(a.sim.limit(1)).toBeUndefined();
    expect(a.driver.state.pluggedAt).toBeUndefined();
  });
});

describe("ocpp-charger family", () => {
  it("simulates a charge point that dials the driver's central system and charges a car", async () => {
    const simulation = await ocppCharger.simulate!("charger-9", { meterIntervalMs: 100 }, new SimulatedWorld().env("", "charger-9"));
    const driver = ocppCharger.create(ocppCharger.config.parse(simulation.settings), { resourceId: "charger-9", log: logger("test"), now: () => new Date() });
    const sink = new RecordingSink();
    try {
      await driver.start(sink);
      await sink.next((e) => e.type === "recovered");
      await expect.poll(() => sink.reading("power")?.v, { timeout: 5_000 }).toBe(11_000);
      expect(sink.latest("StorageSystemDescription")).toBeDefined();
    } finally {
      await simulation.stop();
      await driver.stop();
    }
  });

  it("validates its configuration with paths", () => {
    expect(ocppCharger.type).toBe("ocpp-charger");
    const r = ocppCharger.config.safeParse({ chargeBoxId: "a/b", listen: { port: 70000 }, minCurrentA: 20, upstream: "http://x" });
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["chargeBoxId", "listen.port", "upstream"]));
    expect(ocppCharger.config.safeParse({ chargeBoxId: "CP", minCurrentA: 20 }).error!.issues[0]).toMatchObject({ path: ["minCurrentA"] });
    expect(ocppCharger.config.parse(ocppCharger.example!)).toMatchObject({ profilePurpose: "TxDefaultProfile", chargingRateUnit: "A", car: { needKWh: 20 } });
  });
});
