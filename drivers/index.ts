// The device families flexfed ships: what `flexfed site run` and `flexfed device run` can start.
import type { DriverFamily } from "../src/device/driver.ts";
import { dishwasher, generator, heatPump } from "./appliances/index.ts";
import { dsmrP1 } from "./dsmr-p1/index.ts";
import { froniusSolarApi } from "./fronius-solar-api/index.ts";
import { ocppCharger } from "./ocpp-charger/index.ts";
import { sunspecBattery } from "./sunspec-battery/index.ts";
import { sunspecMeter } from "./sunspec-meter/index.ts";
import { sunspecPv } from "./sunspec-pv/index.ts";

export const FAMILIES: readonly DriverFamily[] = [sunspecBattery, sunspecMeter, sunspecPv, ocppCharger, dsmrP1, froniusSolarApi, heatPump, dishwasher, generator];
