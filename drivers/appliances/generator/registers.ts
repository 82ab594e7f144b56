// The generator's registers (after the identification block, see README.md).
import type { RegisterMap } from "../common/registers.ts";

export const GENERATOR_MAP = {
  state: { address: 100, type: "u16", access: "R", doc: "0 off, 1 warming up (no output yet), 2 running" },
  control: { address: 101, type: "u16", access: "RW", doc: "0 automatic: stops by itself once its minimum run time is over; 1 remote. Any command or setpoint sets 1" },
  command: { address: 102, type: "u16", access: "RW", doc: "write 1 start (warm up, then run at the setpoint), 2 stop; stop is refused with exception 6 while the minimum run time runs" },
  setpoint: { address: 103, type: "u16", unit: "W", access: "RW", doc: "output to run at, minPower..maxPower (else exception 3); refused with exception 6 while warming up" },
  power: { address: 104, type: "u16", unit: "W", access: "R", doc: "output now, produced power positive" },
  minPower: { address: 105, type: "u16", unit: "W", access: "R", doc: "lowest output while running" },
  maxPower: { address: 106, type: "u16", unit: "W", access: "R", doc: "rated output" },
  warmUp: { address: 107, type: "u16", unit: "s", access: "R", doc: "warm-up time after a start, without output" },
  minRun: { address: 108, type: "u16", unit: "s", access: "R", doc: "minimum run time from a start (warm-up included)" },
  warmUpLeft: { address: 109, type: "u16", unit: "s", access: "R", doc: "warm-up still to go" },
  minRunLeft: { address: 110, type: "u16", unit: "s", access: "R", doc: "minimum run time still to go" },
  fuelLevel: { address: 111, type: "u16", unit: "%", scale: 0.1, access: "R", doc: "fuel in the tank" },
  tankSize: { address: 112, type: "u16", unit: "L", access: "R", doc: "tank capacity" },
  fuelAtMin: { address: 113, type: "u16", unit: "L/h", scale: 0.01, access: "R", doc: "fuel use at minPower (and while warming up)" },
  fuelAtMax: { address: 114, type: "u16", unit: "L/h", scale: 0.01, access: "R", doc: "fuel use at maxPower" },
  energy: { address: 115, type: "u32", unit: "Wh", access: "R", doc: "energy produced since manufacture" },
} as const satisfies RegisterMap;
export type GeneratorMap = typeof GENERATOR_MAP;
