// A simulated diesel generator behind the register map of registers.ts. A start warms up for
// warmUp seconds without output, then runs at the setpoint; it cannot be stopped before minRun
// seconds from the start, nor given a setpoint while warming up (exception 6, device busy). In
// automatic control it stops by itself as soon as its minimum run time allows. It burns fuel
// (interpolated between its use at minimum and at maximum output) and stops when the tank is empty.
import { ModbusException } from "../../modbus/index.ts";
import { ApplianceSimulator, type Nameplate } from "../common/simulator.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import { GENERATOR_MAP, type GeneratorMap } from "./registers.ts";
import { GENERATOR_PHASES } from "./state.ts";

export interface GeneratorSimulatorOptions extends Partial<Nameplate> {
  minPowerW?: number;
  maxPowerW?: number;
  warmUpS?: number;
  minRunS?: number;
  tankL?: number;
  fuelPct?: number;
  fuelAtMinLph?: number;
  fuelAtMaxLph?: number;
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

type Phase = (typeof GENERATOR_PHASES)[number];

export class GeneratorSimulator extends ApplianceSimulator<GeneratorMap> {
  readonly #o: Required<Omit<GeneratorSimulatorOptions, keyof Nameplate | "now" | "fuelPct">>;
  #phase: Phase = "off";
  #remote = false;
  #setpoint: number;
  #startedAt = 0;
  #lastCommand = 0;
  #fuelL: number;
  #energyWh = 0;

  constructor(o: GeneratorSimulatorOptions = {}) {
    super(GENERATOR_MAP, DEVICE_TYPES.generator, {
      manufacturer: o.manufacturer ?? "flexfed", model: o.model ?? "SimGen20", serialNumber: o.serialNumber ?? "GEN-0001",
    }, o.now ?? Date.now);
    this.#o = {
      minPowerW: o.minPowerW ?? 5000, maxPowerW: o.maxPowerW ?? 20000, warmUpS: o.warmUpS ?? 120, minRunS: o.minRunS ?? 900,
      tankL: o.tankL ?? 200, fuelAtMinLph: o.fuelAtMinLph ?? 2.5, fuelAtMaxLph: o.fuelAtMaxLph ?? 6,
    };
    this.#setpoint = this.#o.minPowerW;
    this.#fuelL = ((o.fuelPct ?? 80) / 100) * this.#o.tankL;
    this.publish();
  }

  /** The physical state now. */
  get sitePowerW(): number {
    return -this.state.outputW;
  }

  get state(): { phase: Phase; remote: boolean; setpointW: number; outputW: number; fuelPct: number; energyWh: number; warmUpLeftS: number; minRunLeftS: number } {
    this.settle();
    return {
      phase: this.#phase, remote: this.#remote, setpointW: this.#setpoint, outputW: this.#output(), fuelPct: this.#fuelPct(),
      energyWh: this.#energyWh, warmUpLeftS: this.#left(this.#o.warmUpS), minRunLeftS: this.#left(this.#o.minRunS),
    };
  }

  protected command(name: keyof GeneratorMap, value: number): void {
    switch (name) {
      case "control":
        if (value !== 0 && value !== 1) throw new ModbusException(3);
        this.#remote = value === 1;
        break;
      case "command":
        if (value === 1) {
          if (this.#phase === "off") {
            if (this.#fuelL <= 0) throw new ModbusException(4, "the tank is empty");
            this.#phase = "warming-up";
            this.#startedAt = this.now;
          }
        } else if (value === 2) {
          if (this.#phase !== "off" && this.#left(this.#o.minRunS) > 0) throw new ModbusException(6, "the minimum run time is not over");
          this.#phase = "off";
        } else throw new ModbusException(3);
        this.#lastCommand = value;
        this.#remote = true;
        break;
      case "setpoint":
        if (this.#phase === "warming-up") throw new ModbusException(6, "warming up");
        if (value < this.#o.minPowerW || value > this.#o.maxPowerW) throw new ModbusException(3);
        this.#setpoint = value;
        this.#remote = true;
        break;
      default:
        throw new ModbusException(2);
    }
    this.#due(this.now);
  }

  protected advance(from: number, to: number): void {
    let t = from;
    this.#due(t);
    while (t < to) {
      const lph = this.#fuelUse();
      const empty = lph > 0 ? t + (this.#fuelL / lph) * 3_600_000 : Infinity;
      const end = Math.min(to, empty, ...this.#events().filter((e) => e > t));
      const hours = (end - t) / 3_600_000;
      this.#energyWh += this.#output() * hours;
      // At the empty event the tank is empty, whatever rounding left in it (else the loop would creep).
      this.#fuelL = end === empty ? 0 : Math.max(0, this.#fuelL - lph * hours);
      t = end;
      if (this.#fuelL <= 0) this.#phase = "off";
      this.#due(t);
    }
  }

  protected publish(): void {
    const o = this.#o;
    const values: [keyof GeneratorMap, number][] = [
      ["state", GENERATOR_PHASES.indexOf(this.#phase)], ["control", this.#remote ? 1 : 0], ["command", this.#lastCommand],
      ["setpoint", this.#setpoint], ["power", Math.round(this.#output())], ["minPower", o.minPowerW], ["maxPower", o.maxPowerW],
      ["warmUp", o.warmUpS], ["minRun", o.minRunS], ["warmUpLeft", this.#left(o.warmUpS)], ["minRunLeft", this.#left(o.minRunS)],
      ["fuelLevel", Math.round(this.#fuelPct() * 10) / 10], ["tankSize", o.tankL], ["fuelAtMin", o.fuelAtMinLph], ["fuelAtMax", o.fuelAtMaxLph],
      ["energy", Math.round(this.#energyWh)],
    ];
    for (const [name, v] of values) this.set(name, v);
  }

  /** Whole seconds a timer of `seconds` from the start still runs. */
  #left(seconds: number): number {
    return this.#phase === "off" ? 0 : Math.max(0, Math.ceil((this.#startedAt + seconds * 1000 - this.now) / 1000));
  }

  /** When the phase may change by itself from here. */
  #events(): number[] {
    if (this.#phase === "warming-up") return [this.#startedAt + this.#o.warmUpS * 1000];
    if (this.#phase === "running" && !this.#remote) return [this.#startedAt + this.#o.minRunS * 1000];
    return [];
  }

  /** Phase changes due at `t`. */
  #due(t: number): void {
    if (this.#phase === "warming-up" && t >= this.#startedAt + this.#o.warmUpS * 1000) this.#phase = "running";
    if (this.#phase === "running" && !this.#remote && t >= this.#startedAt + this.#o.minRunS * 1000) this.#phase = "off";
  }

  #output(): number {
    return this.#phase === "running" ? this.#setpoint : 0;
  }

  #fuelUse(): number {
    const o = this.#o;
    if (this.#phase === "off") return 0;
    if (this.#phase === "warming-up") return o.fuelAtMinLph;
    return o.fuelAtMinLph + ((this.#setpoint - o.minPowerW) / (o.maxPowerW - o.minPowerW)) * (o.fuelAtMaxLph - o.fuelAtMinLph);
  }

  #fuelPct(): number {
    return (this.#fuelL / this.#o.tankL) * 100;
  }
}
