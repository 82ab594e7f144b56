// A simulated dishwasher behind the register map of registers.ts. The user loads it, chooses a
// program and a finish-by deadline (load()); it then waits for a start command, and starts the
// chosen program by itself at the last moment that still finishes by the deadline (the user stays
// in control). A program runs its phases one after another, at each phase's power, then it is
// done until the user empties it (empty()).
import { ModbusException } from "../../modbus/index.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import { ApplianceSimulator, type Nameplate } from "../common/simulator.ts";
import { DISHWASHER_MAP, DISHWASHER_STATES, MAX_PHASES, MAX_PROGRAMS, NONE, phaseKey, programKey, STARTED_BY, type DishwasherMap } from "./registers.ts";
import { programSeconds, type Program } from "./state.ts";

/** A typical dishwasher's programs: normal, and eco (longer and cooler, less energy). */
export const DEFAULT_PROGRAMS: readonly Program[] = [
  { name: "normal", phases: [{ durationS: 1200, powerW: 2000 }, { durationS: 2400, powerW: 200 }, { durationS: 1800, powerW: 1000 }] },
  { name: "eco", phases: [{ durationS: 1800, powerW: 1000 }, { durationS: 4200, powerW: 150 }, { durationS: 2400, powerW: 600 }] },
];

export interface DishwasherSimulatorOptions extends Partial<Nameplate> {
  programs?: readonly Program[];
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

type State = (typeof DISHWASHER_STATES)[number];

export class DishwasherSimulator extends ApplianceSimulator<DishwasherMap> {
  readonly programs: readonly Program[];
  #state: State = "empty";
  #selected = 0;
  #deadline = 0;
  #running: { program: number; startedAt: number; by: (typeof STARTED_BY)[number] } | undefined;
  #cycle = 0;
  #energyWh = 0;

  constructor(o: DishwasherSimulatorOptions = {}) {
    super(DISHWASHER_MAP, DEVICE_TYPES.dishwasher, {
      manufacturer: o.manufacturer ?? "flexfed", model: o.model ?? "SimDish", serialNumber: o.serialNumber ?? "DW-0001",
    }, o.now ?? Date.now);
    this.programs = o.programs ?? DEFAULT_PROGRAMS;
    if (this.programs.length < 1 || this.programs.length > MAX_PROGRAMS || this.programs.some((p) => p.phases.length < 1 || p.phases.length > MAX_PHASES)) {
      throw new RangeError(`a dishwasher has 1..${MAX_PROGRAMS} programs of 1..${MAX_PHASES} phases`);
    }
    this.publish();
  }

  /** The user loads it, chooses a program and the time it must be done by (epoch ms). */
  load(program: number, deadline: number): void {
    this.settle();
    if (this.#state !== "empty") throw new Error(`cannot load a dishwasher that is ${this.#state}`);
    if (!this.programs[program]) throw new RangeError(`no program ${program}`);
    this.#selected = program;
    this.#deadline = Math.floor(deadline / 1000) * 1000;
    this.#state = "waiting";
    this.#cycle++;
    this.settle();
  }

  /** The user takes the clean dishes out. */
  empty(): void {
    this.settle();
    if (this.#state !== "done") throw new Error(`cannot empty a dishwasher that is ${this.#state}`);
    this.#state = "empty";
    this.#running = undefined;
    this.settle();
  }

  /** The physical state now. */
  get sitePowerW(): number {
    return this.state.powerW;
  }

  get state(): { state: State; program?: number; phase?: number; startedBy: string; powerW: number; energyWh: number; startedAt?: number } {
    this.settle();
    const r = this.#running;
    return {
      state: this.#state, ...(r ? { program: r.program, startedAt: r.startedAt } : {}), ...(this.#phase() !== undefined ? { phase: this.#phase() } : {}),
      startedBy: r?.by ?? "none", powerW: this.#power(), energyWh: this.#energyWh,
    };
  }

  protected command(name: keyof DishwasherMap, value: number): void {
    if (name !== "start") throw new ModbusException(2);
    if (!this.programs[value]) throw new ModbusException(3);
    if (this.#state !== "waiting") throw new ModbusException(6, `the dishwasher is ${this.#state}`);
    this.#start(value, "remote", this.now);
  }

  protected advance(from: number, to: number): void {
    let t = from;
    this.#due(t);
    while (t < to) {
      const end = Math.min(to, ...this.#events().filter((e) => e > t));
      this.#energyWh += (this.#power(t) * (end - t)) / 3_600_000;
      t = end;
      this.#due(t);
    }
  }

  protected publish(): void {
    const r = this.#running;
    const values: [keyof DishwasherMap, number | string][] = [
      ["state", DISHWASHER_STATES.indexOf(this.#state)], ["program", this.#selected], ["deadline", this.#deadline / 1000],
      ["start", r?.program ?? NONE], ["runningProgram", r?.program ?? NONE], ["phase", this.#phase() ?? NONE],
      ["remaining", this.#state === "running" && r ? Math.ceil((this.#endOf(r) - this.now) / 1000) : 0], ["power", this.#power()],
      ["energy", Math.round(this.#energyWh)], ["startedBy", STARTED_BY.indexOf(r?.by ?? "none")], ["cycle", this.#cycle], ["programCount", this.programs.length],
    ];
    this.programs.forEach((p, i) => {
      values.push([programKey(i, "Name"), p.name], [programKey(i, "Phases"), p.phases.length]);
      p.phases.forEach((ph, k) => values.push([phaseKey(i, k, "Duration"), ph.durationS], [phaseKey(i, k, "Power"), ph.powerW]));
    });
    for (const [name, v] of values) this.set(name, v);
  }

  #start(program: number, by: "remote" | "self", at: number): void {
    this.#running = { program, startedAt: at, by };
    this.#state = "running";
  }

  #endOf(r: { program: number; startedAt: number }): number {
    return r.startedAt + programSeconds(this.programs[r.program]!) * 1000;
  }

  /** The last moment the chosen program can start and still finish by the deadline. */
  #latestStart(): number {
    return this.#deadline - programSeconds(this.programs[this.#selected]!) * 1000;
  }

  /** When the state may change by itself from here; phase ends too, where the power changes. */
  #events(): number[] {
    if (this.#state === "waiting") return [this.#latestStart()];
    const r = this.#running;
    if (this.#state !== "running" || !r) return [];
    let at = r.startedAt;
    return this.programs[r.program]!.phases.map((ph) => (at += ph.durationS * 1000));
  }

  #due(t: number): void {
    if (this.#state === "waiting" && t >= this.#latestStart()) this.#start(this.#selected, "self", t);
    if (this.#state === "running" && this.#running && t >= this.#endOf(this.#running)) this.#state = "done";
  }

  #phase(t = this.now): number | undefined {
    const r = this.#running;
    if (this.#state !== "running" || !r) return undefined;
    let end = r.startedAt;
    const phases = this.programs[r.program]!.phases;
    const i = phases.findIndex((ph) => t < (end += ph.durationS * 1000));
    return i < 0 ? undefined : i;
  }

  #power(t = this.now): number {
    const k = this.#phase(t);
    return k === undefined ? 0 : this.programs[this.#running!.program]!.phases[k]!.powerW;
  }
}
