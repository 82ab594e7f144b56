// The dishwasher's registers (after the identification block, see README.md): its state, the
// user's choice, the start command, and a table of its programs and their phases.
import type { Register, RegisterMap } from "../common/registers.ts";

export const MAX_PROGRAMS = 4;
export const MAX_PHASES = 4;
export const NONE = 0xffff;
const TABLE = 120;
const STRIDE = 16;

export const DISHWASHER_STATES = ["empty", "waiting", "running", "done"] as const;
export const STARTED_BY = ["none", "remote", "self"] as const;

const BASE = {
  state: { address: 100, type: "u16", access: "R", doc: "0 empty, 1 waiting (loaded, program and deadline set), 2 running, 3 done" },
  program: { address: 101, type: "u16", access: "R", doc: "the program the user chose on the panel" },
  deadline: { address: 102, type: "u32", unit: "s", access: "R", doc: "finish by, seconds since 1970 UTC (0: none); the device starts the chosen program by itself when it must to finish by then" },
  start: { address: 104, type: "u16", access: "RW", doc: "write a program number to start it now; exception 6 unless waiting, exception 3 for an unknown program" },
  runningProgram: { address: 105, type: "u16", access: "R", doc: "program running or done, 65535 none" },
  phase: { address: 106, type: "u16", access: "R", doc: "phase running, 65535 none" },
  remaining: { address: 107, type: "u16", unit: "s", access: "R", doc: "time the program still runs" },
  power: { address: 108, type: "u16", unit: "W", access: "R", doc: "electric power now" },
  energy: { address: 109, type: "u32", unit: "Wh", access: "R", doc: "electric energy used since manufacture" },
  startedBy: { address: 111, type: "u16", access: "R", doc: "0 not started, 1 by the start register, 2 by itself (its deadline)" },
  cycle: { address: 112, type: "u16", access: "R", doc: "loads since manufacture: a new load is a new cycle" },
  programCount: { address: 113, type: "u16", access: "R", doc: `programs in the table, 1..${MAX_PROGRAMS}` },
} as const satisfies RegisterMap;

export const programKey = (p: number, field: "Name" | "Phases") => `program${p}${field}`;
export const phaseKey = (p: number, k: number, field: "Duration" | "Power") => `program${p}Phase${k}${field}`;

/** Program p at 120 + 16 p: name (6 registers), phase count, then per phase its duration and power. */
function programTable(): Record<string, Register> {
  const out: Record<string, Register> = {};
  for (let p = 0; p < MAX_PROGRAMS; p++) {
    const at = TABLE + p * STRIDE;
    out[programKey(p, "Name")] = { address: at, type: "string", length: 6, access: "R", doc: `program ${p}: name, ASCII` };
    out[programKey(p, "Phases")] = { address: at + 6, type: "u16", access: "R", doc: `program ${p}: number of phases, 0..${MAX_PHASES}` };
    for (let k = 0; k < MAX_PHASES; k++) {
      out[phaseKey(p, k, "Duration")] = { address: at + 7 + 2 * k, type: "u16", unit: "s", access: "R", doc: `program ${p}, phase ${k}: duration` };
      out[phaseKey(p, k, "Power")] = { address: at + 8 + 2 * k, type: "u16", unit: "W", access: "R", doc: `program ${p}, phase ${k}: electric power` };
    }
  }
  return out;
}

export const DISHWASHER_MAP: typeof BASE & Record<string, Register> = { ...BASE, ...programTable() };
export type DishwasherMap = typeof DISHWASHER_MAP;
