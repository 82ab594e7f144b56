// The heat pump's registers (after the identification block, see README.md).
import type { RegisterMap } from "../common/registers.ts";

export const HEAT_PUMP_MAP = {
  bufferTemp: { address: 100, type: "s16", unit: "degC", scale: 0.01, access: "R", doc: "buffer tank temperature" },
  ambientTemp: { address: 101, type: "s16", unit: "degC", scale: 0.01, access: "R", doc: "temperature around the tank" },
  compressor: { address: 102, type: "u16", access: "R", doc: "0 off, 1 on" },
  control: { address: 103, type: "u16", access: "RW", doc: "0 thermostat (its own behaviour), 1 on, 2 off; 1 and 2 are refused with exception 6 while the minimum off / run time runs" },
  power: { address: 104, type: "u16", unit: "W", access: "R", doc: "electric power now" },
  ratedPower: { address: 105, type: "u16", unit: "W", access: "R", doc: "electric power when on" },
  cop: { address: 106, type: "u16", scale: 0.01, access: "R", doc: "coefficient of performance: heat out per electric power in" },
  tankVolume: { address: 107, type: "u16", unit: "L", access: "R", doc: "buffer tank (water) volume" },
  heatLoss: { address: 108, type: "u16", unit: "W/K", scale: 0.1, access: "R", doc: "heat lost per kelvin above ambient" },
  tempMin: { address: 109, type: "s16", unit: "degC", scale: 0.01, access: "R", doc: "comfort floor: below it the heat pump runs whatever it was told" },
  tempMax: { address: 110, type: "s16", unit: "degC", scale: 0.01, access: "R", doc: "safety ceiling: at it the heat pump stops whatever it was told" },
  thermostatLow: { address: 111, type: "s16", unit: "degC", scale: 0.01, access: "RW", doc: "thermostat: on below this (must stay below thermostatHigh, else exception 3)" },
  thermostatHigh: { address: 112, type: "s16", unit: "degC", scale: 0.01, access: "RW", doc: "thermostat: off from this" },
  minRun: { address: 113, type: "u16", unit: "s", access: "R", doc: "minimum run time after switching on" },
  minOff: { address: 114, type: "u16", unit: "s", access: "R", doc: "minimum off time after switching off" },
  minRunLeft: { address: 115, type: "u16", unit: "s", access: "R", doc: "minimum run time still to go" },
  minOffLeft: { address: 116, type: "u16", unit: "s", access: "R", doc: "minimum off time still to go" },
  energy: { address: 117, type: "u32", unit: "Wh", access: "R", doc: "electric energy used since manufacture" },
} as const satisfies RegisterMap;
export type HeatPumpMap = typeof HEAT_PUMP_MAP;
