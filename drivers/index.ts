// The device families flexfed ships: what `flexfed device run` and the simulated home can start.
import type { DriverFamily } from "../src/device/driver.ts";
import { dsmrP1 } from "./dsmr-p1/index.ts";
import { sunspecBattery } from "./sunspec-battery/index.ts";
import { sunspecMeter } from "./sunspec-meter/index.ts";

export const FAMILIES: readonly DriverFamily[] = [sunspecBattery, sunspecMeter, dsmrP1];
