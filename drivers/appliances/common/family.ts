// A DriverFamily for an appliance: its configuration, its spec (from the configuration), and its
// simulator for simulated sites.
import type { z } from "zod";
import type { DriverFamily, SimulationEnv } from "../../../src/device/driver.ts";
import type { ConnectionConfig } from "./config.ts";
import { ApplianceDriver, type ApplianceSpec } from "./driver.ts";
import type { RegisterMap } from "./registers.ts";
import type { ApplianceSimulator } from "./simulator.ts";

export interface ApplianceFamily<C extends z.ZodType<ConnectionConfig>, M extends RegisterMap, S> {
  type: string;
  /** "Generator register map": where the simulation is, for people. */
  label: string;
  config: C;
  example: Record<string, unknown>;
  spec(config: z.infer<C>, resourceId: string): ApplianceSpec<M, S>;
  /** A simulator from a site file's options (checked by the appliance), on the scenario clock where its physics allow. */
  simulator(resourceId: string, options: Record<string, unknown>, env: SimulationEnv): ApplianceSimulator<M>;
}

export function applianceFamily<C extends z.ZodType<ConnectionConfig>, M extends RegisterMap, S>(f: ApplianceFamily<C, M, S>): DriverFamily<C> {
  return {
    type: f.type,
    config: f.config,
    example: f.example,
    create: (config, ctx) => new ApplianceDriver(f.spec(config, ctx.resourceId), config, ctx),
    async simulate(resourceId, options, env) {
      const sim = f.simulator(resourceId, options, env);
      const { host, port } = await sim.listen();
      return { settings: { transport: { type: "tcp", host, port } }, where: `${f.label} over Modbus TCP ${host}:${port}`, powerW: () => sim.sitePowerW, stop: () => sim.stop() };
    },
  };
}
