// A meter in EFI Inflexible terms: a registration and Measurements (consumption positive).
import type { DeviceTags } from "../../src/device/driver.ts";
import { formatDateTime, type InflexibleRegistration, type Measurement } from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { MeterConfig } from "./config.ts";
import type { MeterState } from "./state.ts";

export interface MappingOptions {
  resourceId: string;
  deviceClass: MeterConfig["deviceClass"];
  label?: string;
}

const header = (o: MappingOptions, now: Date) => ({ efiResourceId: o.resourceId, timestamp: formatDateTime(now.getTime()) });

export function registration(s: MeterState, o: MappingOptions, now: Date): InflexibleRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "InflexibleRegistration",
    header: header(o, now),
    instructionProcessingDelay: "PT0S",
    deviceDescription: { deviceClass: o.deviceClass, ...(serialNumber ? { serialNumber } : {}), label: o.label ?? `${manufacturer} ${model}` },
    supportedCommodities: ["ELECTRICITY"],
  };
}

export function measurement(s: MeterState, o: MappingOptions, now: Date): Measurement {
  return { kind: "Measurement", header: header(o, now), measurementTimestamp: formatDateTime(now.getTime()), electricityMeasurement: { power: s.powerW } };
}

/**
 * Telemetry names: power (W, import positive), powerL1..L3 (W), voltageL1..L3 (V), currentL1..L3
 * (A), frequency (Hz), powerFactor (/), energyImport / energyExport (J).
 */
export function telemetry(s: MeterState): Reading[] {
  const out: Reading[] = [{ n: "power", u: "W", v: s.powerW }];
  const add = (n: string, u: string, v: number | undefined) => v !== undefined && out.push({ n, u, v });
  s.phases.forEach((p, i) => {
    add(`powerL${i + 1}`, "W", p.powerW);
    add(`voltageL${i + 1}`, "V", p.voltageV);
    add(`currentL${i + 1}`, "A", p.currentA);
  });
  add("frequency", "Hz", s.frequencyHz);
  add("powerFactor", "/", s.powerFactor);
  add("energyImport", "J", s.importWh === undefined ? undefined : s.importWh * 3600);
  add("energyExport", "J", s.exportWh === undefined ? undefined : s.exportWh * 3600);
  return out;
}

export function identity(s: MeterState, o: MappingOptions): DeviceTags {
  const { manufacturer, model, serialNumber, version } = s.nameplate;
  return { MAN: manufacturer, MODEL: model, ...(serialNumber ? { SN: serialNumber } : {}), ...(version ? { V: version } : {}), CLASS: o.deviceClass, EFI: "inflexible" };
}
