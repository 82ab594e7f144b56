// A PV inverter in EFI Inflexible terms (production negative), and curtailment steps as output
// limits: pure functions of the driver state.
import { DriverError, type ControlStep, type DeviceTags } from "../../src/device/driver.ts";
import {
  formatDateTime, type InflexibleCurtailmentOptions, type InflexibleForecast, type InflexibleRegistration, type Measurement,
} from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { PvConfig } from "./config.ts";
import { clearSkyProfile } from "./solar.ts";
import { INVERTER_STATUS, type PvState } from "./state.ts";

export interface MappingOptions {
  resourceId: string;
  cfg: PvConfig;
}

export const FORECAST_STEP_MS = 15 * 60_000;
export const FORECAST_STEPS = 96;

const header = (o: MappingOptions, now: Date) => ({ efiResourceId: o.resourceId, timestamp: formatDateTime(now.getTime()) });
// "+ 0" turns the -0 of a negated 0 into 0.
const production = (w: number) => -w + 0;

export function registration(s: PvState, o: MappingOptions, now: Date): InflexibleRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "InflexibleRegistration",
    header: header(o, now),
    instructionProcessingDelay: "PT1S",
    deviceDescription: { deviceClass: "PV Panel", ...(serialNumber ? { serialNumber } : {}), label: o.cfg.label ?? `${manufacturer} ${model}` },
    supportedCommodities: ["ELECTRICITY"],
  };
}

export function measurement(s: PvState, o: MappingOptions, now: Date): Measurement {
  return { kind: "Measurement", header: header(o, now), measurementTimestamp: formatDateTime(now.getTime()), electricityMeasurement: { power: production(s.outputW) } };
}

/**
 * The clear-sky production of the next 24 h in 15 min steps from the current quarter hour, or
 * undefined without a location. Its id names the quarter hour, so within one it repeats exactly.
 */
export function forecast(s: PvState, o: MappingOptions, now: Date): InflexibleForecast | undefined {
  const { latitude, longitude, peakW, tiltDeg, azimuthDeg } = o.cfg;
  if (latitude === undefined || longitude === undefined) return undefined;
  const from = Math.floor(now.getTime() / FORECAST_STEP_MS) * FORECAST_STEP_MS;
  // The inverter cannot put out more than its rating, whatever the panels give.
  const site = { latitude, longitude, peakW: Math.min(peakW ?? s.ratedW, s.ratedW), tiltDeg, azimuthDeg };
  return {
    kind: "InflexibleForecast",
    header: header(o, now),
    flexibilityUpdateId: `fc-${from / FORECAST_STEP_MS}`,
    validFrom: formatDateTime(from),
    forecastProfiles: {
      electricityProfile: clearSkyProfile(site, from, FORECAST_STEPS, FORECAST_STEP_MS).map((w) => ({ duration: "PT15M", power: production(Math.round(w)) })),
    },
  };
}

/** The output can be capped anywhere from none (0) to the full rating; undefined when the inverter has no limit control. */
export function curtailmentOptions(s: PvState, o: MappingOptions, validFrom: Date, now: Date): InflexibleCurtailmentOptions | undefined {
  if (!s.limit) return undefined;
  return {
    kind: "InflexibleCurtailmentOptions",
    header: header(o, now),
    flexibilityUpdateId: curtailmentId(s),
    validFrom: formatDateTime(validFrom.getTime()),
    curtailmentOptions: [{ curtailmentQuantity: "ELECTRICITY.POWER", curtailmentRange: [{ lowerBound: -s.ratedW, upperBound: 0 }] }],
  };
}

/** Changes only with what is offered: instructions that answer it stay valid. */
export const curtailmentId = (s: PvState) => `co-${s.limit?.model}-${Math.round(s.ratedW)}`;

/**
 * An inflexible step as an output limit in % of the rating: a cap of -2000 W on a 5000 W inverter
 * is 40 %; no cap lifts the limit (undefined).
 */
export function limitPct(step: ControlStep, s: PvState): number | undefined {
  if (step.category !== "inflexible") throw new DriverError(`a PV inverter takes curtailment steps, not ${step.category} steps`);
  if (step.quantity !== "ELECTRICITY.POWER") throw new DriverError(`a PV inverter can only curtail ELECTRICITY.POWER, not ${step.quantity}`);
  if (step.cap === undefined) return undefined;
  if (step.cap > 0) throw new DriverError(`a cap of ${step.cap} W limits consumption; a PV inverter only produces (caps are 0 .. -${s.ratedW} W)`);
  return Math.min(100, (-step.cap / s.ratedW) * 100);
}

/**
 * Telemetry names: power (W, EFI sign: production negative), energyExport (J produced),
 * voltageL1..L3 (V), currentL1..L3 (A), frequency (Hz), limit (% of the rating, while a limit is
 * enabled), status (SunSpec St: 1 OFF, 2 SLEEPING, 3 STARTING, 4 MPPT, 5 THROTTLED, 6 SHUTTING_DOWN,
 * 7 FAULT, 8 STANDBY).
 */
export function telemetry(s: PvState): Reading[] {
  const out: Reading[] = [{ n: "power", u: "W", v: production(s.outputW) }];
  const add = (n: string, u: string, v: number | undefined) => v !== undefined && out.push({ n, u, v });
  add("energyExport", "J", s.energyWh === undefined ? undefined : s.energyWh * 3600);
  s.phases.forEach((p, i) => {
    add(`voltageL${i + 1}`, "V", p.voltageV);
    add(`currentL${i + 1}`, "A", p.currentA);
  });
  add("frequency", "Hz", s.frequencyHz);
  if (s.limit?.enabled) add("limit", "%", s.limit.pct);
  // Readings are numbers: the SunSpec St code.
  if (s.status) out.push({ n: "status", v: INVERTER_STATUS.indexOf(s.status) + 1 });
  return out;
}

export function identity(s: PvState, o: MappingOptions): DeviceTags {
  const { manufacturer, model, serialNumber, version } = s.nameplate;
  const { latitude, longitude } = o.cfg;
  return {
    MAN: manufacturer, MODEL: model, ...(serialNumber ? { SN: serialNumber } : {}), ...(version ? { V: version } : {}),
    CLASS: "PV Panel", EFI: "inflexible", PMAX: s.ratedW,
    ...(latitude !== undefined && longitude !== undefined ? { LAT: latitude, LON: longitude } : {}),
  };
}
