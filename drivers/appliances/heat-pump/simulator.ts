// A simulated heat pump with a buffer tank behind the register map of registers.ts. The tank's
// temperature integrates the compressor's heat (ratedPower x COP) minus the loss to ambient minus
// a hot-water draw profile, in steps of at most 10 s. The compressor follows its control register:
// its thermostat (on below thermostatLow, off from thermostatHigh), or held on or off; below the
// comfort floor it runs and at the safety ceiling it stops whatever it was told. It keeps its
// minimum run and off times, and refuses (exception 6) a command that would break them.
import { ModbusException } from "../../modbus/index.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import { ApplianceSimulator, slices, type Nameplate } from "../common/simulator.ts";
import { HEAT_PUMP_MAP, type HeatPumpMap } from "./registers.ts";
import { heatCapacity } from "./state.ts";

export interface HeatPumpSimulatorOptions extends Partial<Nameplate> {
  tempC?: number;
  ambientC?: number;
  volumeL?: number;
  ratedPowerW?: number;
  cop?: number;
  heatLossWPerK?: number;
  minC?: number;
  maxC?: number;
  thermostatLowC?: number;
  thermostatHighC?: number;
  minRunS?: number;
  minOffS?: number;
  /** Heat (W) drawn as hot water at a time; default: showers of 6 kW from 07:00 and 19:00 UTC for 10 minutes. */
  drawW?: (timeMs: number) => number;
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

const DAY = 86_400_000;
const STEP_MS = 10_000;

export function showers(timeMs: number): number {
  const minute = (timeMs % DAY) / 60_000;
  return (minute >= 7 * 60 && minute < 7 * 60 + 10) || (minute >= 19 * 60 && minute < 19 * 60 + 10) ? 6000 : 0;
}

type Control = "thermostat" | "on" | "off";
const CONTROLS: readonly Control[] = ["thermostat", "on", "off"];

export class HeatPumpSimulator extends ApplianceSimulator<HeatPumpMap> {
  readonly #o: Required<Omit<HeatPumpSimulatorOptions, keyof Nameplate | "now" | "tempC" | "thermostatLowC" | "thermostatHighC">>;
  #temp: number;
  #low: number;
  #high: number;
  #control: Control = "thermostat";
  #on = false;
  /** When the compressor last switched; long ago at first, so no timer runs. */
  #switchedAt = -Infinity;
  #energyWh = 0;

  constructor(o: HeatPumpSimulatorOptions = {}) {
    super(HEAT_PUMP_MAP, DEVICE_TYPES.heatPump, {
      manufacturer: o.manufacturer ?? "flexfed", model: o.model ?? "SimHP2", serialNumber: o.serialNumber ?? "HP-0001",
    }, o.now ?? Date.now);
    this.#o = {
      ambientC: o.ambientC ?? 20, volumeL: o.volumeL ?? 200, ratedPowerW: o.ratedPowerW ?? 2000, cop: o.cop ?? 3.5, heatLossWPerK: o.heatLossWPerK ?? 2.5,
      minC: o.minC ?? 35, maxC: o.maxC ?? 60, minRunS: o.minRunS ?? 600, minOffS: o.minOffS ?? 300, drawW: o.drawW ?? showers,
    };
    this.#temp = o.tempC ?? 47;
    this.#low = o.thermostatLowC ?? 45;
    this.#high = o.thermostatHighC ?? 50;
    this.#decide(this.now);
    this.publish();
  }

  /** The physical state now. */
  get sitePowerW(): number {
    return this.state.powerW;
  }

  get state(): { tempC: number; on: boolean; control: Control; powerW: number; energyWh: number; minRunLeftS: number; minOffLeftS: number } {
    this.settle();
    return {
      tempC: this.#temp, on: this.#on, control: this.#control, powerW: this.#power(), energyWh: this.#energyWh,
      minRunLeftS: this.#left(true), minOffLeftS: this.#left(false),
    };
  }

  protected command(name: keyof HeatPumpMap, value: number): void {
    switch (name) {
      case "control": {
        const control = CONTROLS[value];
        if (!control) throw new ModbusException(3);
        if (control === "on" && !this.#on && this.#left(false) > 0) throw new ModbusException(6, "the minimum off time is not over");
        if (control === "off" && this.#on && this.#left(true) > 0) throw new ModbusException(6, "the minimum run time is not over");
        this.#control = control;
        break;
      }
      case "thermostatLow":
      case "thermostatHigh": {
        const [low, high] = name === "thermostatLow" ? [value, this.#high] : [this.#low, value];
        if (!(low < high)) throw new ModbusException(3);
        [this.#low, this.#high] = [low, high];
        break;
      }
      default:
        throw new ModbusException(2);
    }
    this.#decide(this.now);
  }

  protected advance(from: number, to: number): void {
    const o = this.#o;
    const capacity = heatCapacity(o.volumeL);
    for (const [a, b] of slices(from, to, STEP_MS)) {
      this.#decide(a);
      const seconds = (b - a) / 1000;
      const heat = this.#on ? o.ratedPowerW * o.cop : 0;
      const loss = o.heatLossWPerK * (this.#temp - o.ambientC);
      this.#temp += ((heat - loss - o.drawW(a)) * seconds) / capacity;
      this.#energyWh += (this.#power() * seconds) / 3600;
    }
  }

  protected publish(): void {
    const o = this.#o;
    const values: [keyof HeatPumpMap, number][] = [
      ["bufferTemp", Math.round(this.#temp * 100) / 100], ["ambientTemp", o.ambientC], ["compressor", this.#on ? 1 : 0], ["control", CONTROLS.indexOf(this.#control)],
      ["power", this.#power()], ["ratedPower", o.ratedPowerW], ["cop", o.cop], ["tankVolume", o.volumeL], ["heatLoss", o.heatLossWPerK],
      ["tempMin", o.minC], ["tempMax", o.maxC], ["thermostatLow", this.#low], ["thermostatHigh", this.#high], ["minRun", o.minRunS], ["minOff", o.minOffS],
      ["minRunLeft", this.#left(true)], ["minOffLeft", this.#left(false)], ["energy", Math.round(this.#energyWh)],
    ];
    for (const [name, v] of values) this.set(name, v);
  }

  /** Switches the compressor as control, comfort, safety and the timers say at `t`. */
  #decide(t: number): void {
    const wanted = this.#temp >= this.#o.maxC ? false
      : this.#temp < this.#o.minC ? true
      : this.#control === "thermostat" ? (this.#temp < this.#low ? true : this.#temp >= this.#high ? false : this.#on)
      : this.#control === "on";
    if (wanted === this.#on) return;
    // Safety overrides the minimum run time; everything else waits for the timers.
    const safety = !wanted && this.#temp >= this.#o.maxC;
    if (!safety && this.#leftAt(this.#on, t) > 0) return;
    this.#on = wanted;
    this.#switchedAt = t;
  }

  #power(): number {
    return this.#on ? this.#o.ratedPowerW : 0;
  }

  /** Seconds the minimum run (running) or off (not running) time still has to go. */
  #left(running: boolean): number {
    return this.#on === running ? this.#leftAt(running, this.now) : 0;
  }

  #leftAt(running: boolean, t: number): number {
    const s = running ? this.#o.minRunS : this.#o.minOffS;
    return Math.max(0, Math.ceil((this.#switchedAt + s * 1000 - t) / 1000));
  }
}
