// Telemetry from a telegram: one SenML reading per value present, named by its OBIS code.
import type { Reading } from "../../src/telemetry/index.ts";
import { REGISTERS, type BaseUnit, type RegisterCode, type Telegram } from "./telegram.ts";

/**
 * SenML units (RFC 8428 registry). Energy goes out in J, not Wh: Wh is an RFC 8798 secondary unit
 * that a pack may only use when it announces the feature with bver, and every SenML consumer knows J.
 */
const SENML: Record<BaseUnit, { u: string; factor: number }> = {
  W: { u: "W", factor: 1 },
  Wh: { u: "J", factor: 3600 },
  V: { u: "V", factor: 1 },
  A: { u: "A", factor: 1 },
  m3: { u: "m3", factor: 1 },
};

export function readings(t: Telegram): Reading[] {
  const out: Reading[] = [];
  for (const [code, value] of Object.entries(t.registers) as [RegisterCode, number][]) {
    const { u, factor } = SENML[REGISTERS[code]];
    out.push({ n: code, u, v: value * factor });
  }
  if (t.tariff !== undefined) out.push({ n: "0-0:96.14.0", v: t.tariff });
  // The gas value carries the telegram's time: Reading has no time of its own (the gas meter's is in t.gas.timestamp).
  if (t.gas) out.push({ n: `0-${t.gas.channel}:24.2.1`, u: SENML.m3.u, v: t.gas.volume });
  return out;
}
