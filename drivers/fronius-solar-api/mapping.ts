// A Fronius system in EFI Inflexible terms: the inverter's PV production (negative), plus the
// site's flows as telemetry. Pure functions of the power flow.
import type { DeviceTags } from "../../src/device/driver.ts";
import { formatDateTime, type InflexibleCurtailmentOptions, type InflexibleRegistration, type Measurement } from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { PowerFlow } from "./api.ts";
import type { FroniusConfig } from "./config.ts";

export interface MappingOptions {
  resourceId: string;
  cfg: FroniusConfig;
}

const header = (o: MappingOptions, now: Date) => ({ efiResourceId: o.resourceId, timestamp: formatDateTime(now.getTime()) });
// "+ 0" turns the -0 of a negated 0 into 0.
const neg = (w: number | null | undefined) => (w === null || w === undefined ? undefined : -w + 0);

export function registration(o: MappingOptions, now: Date): InflexibleRegistration {
  return {
    kind: "InflexibleRegistration",
    header: header(o, now),
    instructionProcessingDelay: "PT0S",
    deviceDescription: { deviceClass: "PV Panel", label: o.cfg.label ?? "Fronius inverter" },
    supportedCommodities: ["ELECTRICITY"],
  };
}

/**
 * The Solar API is read-only, so the device says in EFI that it offers no curtailment: options
 * without any option. The runtime's EFI check then refuses every InflexibleInstruction up front
 * (not-acceptable, REJECTED) instead of accepting one the inverter cannot follow. The offer never
 * changes, so neither does its id.
 */
export function noCurtailment(o: MappingOptions, now: Date): InflexibleCurtailmentOptions {
  return { kind: "InflexibleCurtailmentOptions", header: header(o, now), flexibilityUpdateId: "no-curtailment", validFrom: formatDateTime(now.getTime()) };
}

/** The PV production, EFI sign (negative); 0 when the system reports none (null at night on some models). */
export function measurement(p: PowerFlow, o: MappingOptions, now: Date): Measurement {
  return {
    kind: "Measurement", header: header(o, now), measurementTimestamp: formatDateTime(now.getTime()),
    electricityMeasurement: { power: neg(p.Body.Data.Site.P_PV) ?? 0 },
  };
}

/**
 * Telemetry names, EFI signs (consumption positive): power (W, PV: production negative), gridPower
 * (W, import positive), loadPower (W, the household's consumption, positive), batteryPower (W,
 * charging positive), energyExport (J produced, E_Total), soc (%EL, the first inverter's battery).
 */
export function telemetry(p: PowerFlow): Reading[] {
  const site = p.Body.Data.Site;
  const out: Reading[] = [];
  const add = (n: string, u: string, v: number | null | undefined) => v !== undefined && v !== null && out.push({ n, u, v });
  add("power", "W", neg(site.P_PV) ?? 0);
  add("gridPower", "W", site.P_Grid);
  add("loadPower", "W", neg(site.P_Load));
  add("batteryPower", "W", neg(site.P_Akku));
  add("energyExport", "J", site.E_Total === null || site.E_Total === undefined ? undefined : site.E_Total * 3600);
  add("soc", "%EL", Object.values(p.Body.Data.Inverters ?? {}).find((i) => i.SOC !== undefined)?.SOC);
  return out;
}

export function identity(o: MappingOptions): DeviceTags {
  const { peakW, latitude, longitude } = o.cfg;
  return {
    MAN: "Fronius", CLASS: "PV Panel", EFI: "inflexible",
    ...(peakW ? { PMAX: peakW } : {}),
    ...(latitude !== undefined && longitude !== undefined ? { LAT: latitude, LON: longitude } : {}),
  };
}
