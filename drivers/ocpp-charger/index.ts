// The "ocpp-charger" device family: EV charge points speaking OCPP 1.6J to flexfed as Central
// System (optionally relayed to an existing back office), one driver per connector; a plugged-in
// car is EFI Storage when it reports its state of charge, else Adjustable.
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { ChargerConfigSchema } from "./config.ts";
import { ChargerDriver } from "./driver.ts";
import { ChargePointSimulator } from "./simulator.ts";
import { freePort } from "../../src/server/ports.ts";

/** What a site file may say of a simulated charge point. */
const SimulationSchema = z.strictObject({
  /** A car is plugged in from the start. */
  plugged: z.boolean().default(true),
  /** The car's state of charge, %; absent: the car does not report one (the device offers it as Adjustable). */
  carSocPct: z.number().min(0).max(100).optional(),
  carMaxPowerW: z.number().positive().default(11_000),
  meterIntervalMs: z.number().int().min(100).default(10_000),
});

export const ocppCharger: DriverFamily<typeof ChargerConfigSchema> = {
  type: "ocpp-charger",
  config: ChargerConfigSchema,
  example: { listen: { host: "0.0.0.0", port: 8887 }, chargeBoxId: "CP-GARAGE", connectorId: 1, phases: 3, minCurrentA: 6, maxCurrentA: 16 },
  create: (config, ctx) => new ChargerDriver(config, ctx),
  async simulate(resourceId, options) {
    const o = SimulationSchema.parse(options);
    const port = await freePort();
    const chargeBoxId = `SIM-${resourceId}`;
    const sim = new ChargePointSimulator({ endpoint: `ws://127.0.0.1:${port}`, identity: chargeBoxId, serialNumber: chargeBoxId, meterIntervalMs: o.meterIntervalMs });
    // The charge point dials until the driver's central system listens, then a car arrives.
    void sim.dial().then(() => (o.plugged ? sim.plugIn({ maxPowerW: o.carMaxPowerW, ...(o.carSocPct !== undefined ? { socPct: o.carSocPct } : {}) }) : undefined)).catch(() => undefined);
    return {
      // The driver sets the simulator's MeterValueSampleInterval (whole seconds) to the same pace.
      settings: { listen: { host: "127.0.0.1", port }, chargeBoxId, remoteStartIdTag: "flexfed", meterIntervalSeconds: Math.max(1, Math.round(o.meterIntervalMs / 1000)) },
      where: `OCPP 1.6J charge point ${chargeBoxId} dialing ws://127.0.0.1:${port}`,
      // The charging session runs on the wall clock (its departure time is the driver's), so does its power.
      powerW: () => sim.connector().powerW,
      stop: () => sim.close(),
    };
  },
};

export { ChargerConfigSchema, type ChargerConfig, type ChargerConfigInput } from "./config.ts";
export { ChargerDriver } from "./driver.ts";
export { ChargePointSimulator, type ChargePointSimulatorOptions, type SimulatedCar } from "./simulator.ts";
