// The meter as an EFI Inflexible resource: its registration and its Measurement.
import type { Header, InflexibleRegistration, Measurement } from "../../src/efi/index.ts";
import { DEVICE_CLASS, decodeEquipmentId } from "./identity.ts";
import type { GasReading, Telegram } from "./telegram.ts";

export function registration(t: Telegram, header: Header): InflexibleRegistration {
  const serial = t.equipmentId ? decodeEquipmentId(t.equipmentId) : undefined;
  return {
    kind: "InflexibleRegistration",
    header,
    // A meter acts on nothing; instructions are refused at once.
    instructionProcessingDelay: "PT0S",
    deviceDescription: { deviceClass: DEVICE_CLASS, ...(serial ? { serialNumber: serial } : {}), label: serial ? `Smart meter ${serial}` : "Smart meter" },
    supportedCommodities: t.gas ? ["ELECTRICITY", "GAS"] : ["ELECTRICITY"],
  };
}

/** The latest gas reading and the flow derived from the one before it. */
export interface GasFlow {
  reading: GasReading;
  /** m3/s between the two latest readings; unknown until the gas timestamp has advanced once. */
  flowRate?: number;
}

/** Gas meters report every 5 min (DSMR 5) or hour (DSMR 4): the flow is the volume between two reports over their time apart. */
export function nextGasFlow(prev: GasFlow | undefined, reading: GasReading | undefined): GasFlow | undefined {
  if (!reading) return undefined;
  if (!prev || prev.reading.channel !== reading.channel) return { reading };
  const seconds = (reading.timestamp.getTime() - prev.reading.timestamp.getTime()) / 1000;
  if (seconds === 0) return prev;
  const volume = reading.volume - prev.reading.volume;
  // A clock or register that went backwards (meter exchanged) restarts the derivation.
  if (seconds < 0 || volume < 0) return { reading };
  return { reading, flowRate: volume / seconds };
}

/** Electricity power: delivered minus received, consumption positive (EFI's sign). Undefined when the telegram measures nothing EFI carries. */
export function measurement(t: Telegram, gas: GasFlow | undefined, header: Header, now: Date): Measurement | undefined {
  const delivered = t.registers["1-0:1.7.0"];
  const received = t.registers["1-0:2.7.0"];
  const electricity = delivered !== undefined || received !== undefined ? { power: (delivered ?? 0) - (received ?? 0) } : undefined;
  const flowRate = gas?.flowRate;
  if (!electricity && flowRate === undefined) return undefined;
  return {
    kind: "Measurement",
    header,
    measurementTimestamp: (t.timestamp ?? now).toISOString(),
    ...(electricity ? { electricityMeasurement: electricity } : {}),
    ...(flowRate !== undefined ? { gasMeasurement: { flowRate } } : {}),
  };
}
