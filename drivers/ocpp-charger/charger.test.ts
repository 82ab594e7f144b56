import { afterEach, describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { SimulatedWorld } from "../../src/device/simulation.ts";
import { logger } from "../../src/log/index.ts";
import { decode, encode, parseDateTime, parseDuration, type EfiMessage } from "../../src/efi/index.ts";
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
const reportedMessages = (r: Rig) => r.sink.events.flatMap((e) => (e.type === "controlSpace" ? e.messages : []));
/** Every message survives encode/decode and validates against the EFI XSD. */
const expectValid = (messages: readonly EfiMessage[]) => {
  for (const m of messages) expect(decode(encode(m))).toEqual(m);
  expect(xsdErrors(messages.map((m) => encode(m)))).toEqual([]);
};

describe("ocpp-charger driver against the simulated charge point over OCPP-J", () => {
  it("is lost until the charge point dials in, then takes its identity from the BootNotification", async () => {
    const { sink, connect } = await start();
    expect(sink.events[0]).toMatchObject({ type: "lost", reason: expect.stringMatching(/^charge point CP-1 has not connected to ws:\/\/127\.0\.0\.1:\d+\/CP-1 yet$/) });
    const identity = sink.next((e) => e.type === "identity");
    await connect();
    // No EFI tag: the runtime adds the category of the latest registration.
    expect(await identity).toEqual({
      type: "identity",
      tags: { MAN: "Alfen", MODEL: "Eve Single", SN: "ACE0123", V: "6.1.0", CLASS: "Electrical Vehicle", PMAX: 16 * 230 * 3 },
    });
    expect(sink.events.some((e) => e.type === "recovered")).toBe(true);
    // No car: a registration, no flexibility.
    expect(sink.latest("StorageRegistration")).toMatchObject({
      deviceDescription: { deviceClass: "Electrical Vehicle", serialNumber: "ACE0123", label: "Alfen Eve Single connector 1" },
      fillLevelUnit: "kWh",
    });
    expect(sink.latest("StorageSystemDescription")).toBeUndefined();
  });

  it("offers a plugged-in car that reports its state of charge as EFI Storage, every message valid by src/efi and the XSD", async () => {
    const r = await start({ remoteStartIdTag: "flexfed", car: { targetSocPct: 80, stayHours: 10 } });
    const { sim, sink, reported, driver } = r;
    await r.connect();
    // Plug-in -> Preparing -> flexfed's RemoteStartTransaction -> StartTransaction (with the first meter values: the state of charge) -> Charging (no profile: the car's 11 kW).
    await sim.plugIn({ socPct: 30, maxPowerW: 11_000 });
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
    // 30 % to 80 % of 60 kWh by departure.
    expect(sink.latest("StorageFillLevelTargetProfile")!.targetProfile).toEqual([
      { duration: "PT10H", fillLevelLowerBound: 0, fillLevelUpperBound: 60 },
      { duration: "PT15M", fillLevelLowerBound: 30, fillLevelUpperBound: 60 },
    ]);
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(11_000);
    expect(sink.category).toBe("storage");
    expect(sink.latest("AdjustableSystemDescription")).toBeUndefined();
    expectValid(reportedMessages(r));
  });

  it("aims the target at the next configured departure time after plug-in, local time", async () => {
    const { sim, sink, driver, ...r } = await start({ remoteStartIdTag: "flexfed", car: { departure: "07:30", stayHours: 2 } });
    await r.connect();
    await r.reported(() => sim.plugIn({ socPct: 50 }), plugged);
    await expect.poll(() => driver.state.status).toBe("Charging");
    const target = sink.latest("StorageFillLevelTargetProfile")!;
    const departure = parseDateTime(target.validFrom) + parseDuration(target.targetProfile[0]!.duration);
    expect([new Date(departure).getHours(), new Date(departure).getMinutes()]).toEqual([7, 30]);
    // The first 07:30 after plug-in (not stayHours): within a day.
    expect(departure - T0).toBeGreaterThan(0);
    expect(departure - T0).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it("offers a car without state of charge as Adjustable once it waited socWaitSeconds, and as Storage once it tells", async () => {
    const r = await start({ remoteStartIdTag: "flexfed", car: { socWaitSeconds: 30 } });
    const { sim, sink, driver, reported, advance } = r;
    await r.connect();
    await sim.plugIn({ maxPowerW: 11_000 });
    await expect.poll(() => driver.state.status).toBe("Charging");
    // Still waiting for a state of charge: nothing offered, steps refused.
    expect(kinds(await reported(() => sim.sendMeterValues()))).toEqual(["Measurement"]);
    await expect(driver.apply(charge(1))).rejects.toThrow("the car on CP-1 connector 1 is not offered yet: flexfed waits for its state of charge");
    advance(30_000);
    expect(kinds(await reported(() => sim.sendMeterValues()))).toEqual(["AdjustableRegistration", "AdjustableSystemDescription", "AdjustableStatus", "Measurement"]);
    expect(sink.category).toBe("adjustable");
    expect(sink.latest("StorageRegistration")).toBeUndefined();
    const sd = sink.latest("AdjustableSystemDescription")!;
    expect(sd.runningModes).toEqual([
      { type: "continuous", id: 0, label: "charge", lowerBound: { electricalPower: 4140 }, upperBound: { electricalPower: 11040 } },
      { type: "discrete", id: 1, label: "idle", electricalPower: 0 },
    ]);
    expect(sd.transitions).toEqual([{ fromRunningModeId: 0, toRunningModeId: 1 }, { fromRunningModeId: 1, toRunningModeId: 0 }]);
    expect(sd.validFrom).toBe("2025-06-01T18:00:00.000Z");
    // Charging at the car's 11 kW of 4140..11040 W.
    expect(sink.latest("AdjustableStatus")).toMatchObject({ currentRunningModeId: 0, runningModeFactor: 0.9942 });

    // An adjustable step is a charging profile, as a storage step is.
    await driver.apply({ category: "adjustable", runningModeId: 0, factor: 0.5 });
    expect(sim.limit()).toEqual({ limit: 11, unit: "A", purpose: "TxDefaultProfile" });
    expect(sink.latest("AdjustableStatus")).toMatchObject({ currentRunningModeId: 0, runningModeFactor: 0.5 });
    await driver.apply({ category: "adjustable", runningModeId: 1 });
    expect(sim.limit()).toMatchObject({ limit: 0 });
    expect(sink.latest("AdjustableStatus")!.currentRunningModeId).toBe(1);
    await expect(driver.apply(charge(1))).rejects.toThrow("the car plugged in is offered as adjustable; the charger does not take storage steps");
    expectValid(reportedMessages(r));

    // The car's state of charge comes up late: the session becomes Storage, registered anew.
    sim.reportSoc();
    expect(kinds(await reported(() => sim.sendMeterValues()))).toEqual(["StorageRegistration", "StorageSystemDescription", "StorageStatus", "StorageFillLevelTargetProfile", "Measurement"]);
    expect(sink.category).toBe("storage");
    expect(sink.latest("AdjustableSystemDescription")).toBeUndefined();
    await driver.apply(charge(1));
    expect(sim.limit()).toMatchObject({ limit: 16 });
    expectValid(reportedMessages(r));
  });

  it("charges at the power a step asks for: a charging profile in A with the per-phase current", async () => {
    const { sim, sink, driver, reported, advance, connect } = await start({ remoteStartIdTag: "flexfed", car: { targetSocPct: 80, capacityKWh: 50 } });
    await connect();
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
    const { sim, driver, reported, connect } = await start({ chargingRateUnit: "W", profilePurpose: "TxProfile", phases: 1, maxCurrentA: 32 });
    await connect();
    await reported(async () => {
      await sim.plugIn({ socPct: 50 });
      await sim.sendMeterValues();
    }, plugged);
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
    const { sim, driver, sink, connect } = await start({ remoteStartIdTag: "flexfed" });
    await connect();
    await sim.plugIn({ socPct: 50 });
    await expect.poll(() => driver.state.status).toBe("Charging");
    sim.rejectProfiles = true;
    const err = await driver.apply(charge(0.2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toBe("the charge point rejected the charging profile (TxDefaultProfile 8 A on connector 1: Rejected)");
    expect(sim.limit()).toBeUndefined();
    // Nothing is held: the status shows what the charger does (charging at the car's 11 kW).
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]).toMatchObject({ currentRunningMode: 0, runningModeFactor: 0.9942 });
    await expect(driver.apply({ category: "storage", actuatorId: 0, runningModeId: 5 })).rejects.toThrow("running modes 0 charge and 1 idle, not 5");
  });

  it("revokes its flexibility when the car leaves, and clears its profile for the next car", async () => {
    const { sim, driver, sink, reported, advance, connect } = await start({ remoteStartIdTag: "flexfed" });
    await connect();
    await sim.plugIn({ socPct: 50 });
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
    await reported(() => sim.plugIn({ socPct: 60 }), plugged);
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
    await a.connect();
    await a.sim.plugIn({ socPct: 50 }, 2);
    await expect.poll(() => b.driver.state.status).toBe("Charging");
    await expect.poll(() => b.sink.latest("StorageSystemDescription")).toBeDefined();
    await b.driver.apply(charge(1));
    expect(a.sim.limit(2)).toMatchObject({ limit: 16 });
    expect(a.sim.limit(1)).toBeUndefined();
    expect(a.driver.state.pluggedAt).toBeUndefined();
  });
});

describe("ocpp-charger family", () => {
  it("simulates a charge point that dials the driver's central system and charges a car", async () => {
    const simulation = await ocppCharger.simulate!("charger-9", { meterIntervalMs: 100, carSocPct: 40 }, new SimulatedWorld().env("", "charger-9"));
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
    expect(ocppCharger.config.parse(ocppCharger.example!)).toMatchObject({
      profilePurpose: "TxDefaultProfile", chargingRateUnit: "auto", meterIntervalSeconds: 10, car: { socWaitSeconds: 30, withoutSoc: "adjustable", stayHours: 8 },
    });
    expect(ocppCharger.config.parse({ chargeBoxId: "CP", car: { departure: "07:30" } }).car.departure).toBe("07:30");
    for (const departure of ["7:30", "24:00", "07:60", "0730"]) {
      expect(ocppCharger.config.safeParse({ chargeBoxId: "CP", car: { departure } }).error!.issues).toEqual([
        expect.objectContaining({ path: ["car", "departure"], message: "must be a local time of day as HH:MM (00:00..23:59), e.g. 07:30" }),
      ]);
    }
  });
});
