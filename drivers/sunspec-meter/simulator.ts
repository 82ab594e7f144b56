// A simulated SunSpec meter (models 1 + 203) over Modbus TCP or a mock RTU line. Power follows a
// profile function of time (W, import positive, split evenly over three phases); the energy
// counters integrate it. Its measurements are read-only: every write is refused.
import { COMMON, METER, SunSpecSimulator } from "../sunspec/index.ts";

export interface MeterSimulatorOptions {
  base?: number;
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  /** W at a time (ms), import positive; default 0. */
  powerW?: (timeMs: number) => number;
  now?: () => number;
  /** Counters at the start, Wh. */
  importWh?: number;
  exportWh?: number;
}

const VOLTS = 230;

/** A household's grid exchange over the day, W (import positive): base load, an evening peak, midday PV. */
export function householdPower(p: { baseW: number; eveningPeakW: number; pvPeakW: number }): (timeMs: number) => number {
  return (t) => {
    const hour = (t / 3_600_000) % 24;
    const evening = Math.max(0, Math.sin(((hour - 16) / 8) * Math.PI));
    const sun = Math.max(0, Math.sin(((hour - 7) / 12) * Math.PI));
    return Math.round(p.baseW + p.eveningPeakW * evening - p.pvPeakW * sun);
  };
}

export class MeterSimulator extends SunSpecSimulator {
  /** The phase voltage, V: tests and scenarios set it to make a grid disturbance. */
  voltageV = VOLTS;
  readonly #profile: (t: number) => number;
  #importWh: number;
  #exportWh: number;

  constructor(o: MeterSimulatorOptions = {}) {
    super(o.base ?? 40000, o.now ?? Date.now);
    this.#profile = o.powerW ?? (() => 0);
    this.#importWh = o.importWh ?? 1;
    this.#exportWh = o.exportWh ?? 1;
    this.sunspec
      .add(COMMON, 1, { Mn: o.manufacturer ?? "flexfed", Md: o.model ?? "SimMeter 3ph", SN: o.serialNumber ?? "SIM-M-0001", Vr: "1.0.0", DA: 1 })
      .add(METER, 203, { A_SF: -2, V_SF: -1, Hz_SF: -2, W_SF: 0, PF_SF: 0, TotWh_SF: 0, Hz: 50, PF: 100 });
    this.settle();
  }

  /** Energy counters now, Wh. */
  get counters(): { importWh: number; exportWh: number } {
    this.settle();
    return { importWh: this.#importWh, exportWh: this.#exportWh };
  }

  protected advance(from: number, to: number): void {
    // The power at the start of the interval held throughout (the profile is sampled per read).
    const wh = (this.#profile(from) * (to - from)) / 3_600_000;
    if (wh > 0) this.#importWh += wh;
    else this.#exportWh -= wh;
  }

  protected publish(now: number): void {
    const w = this.#profile(now);
    const ss = this.sunspec;
    ss.set(203, "W", Math.round(w));
    for (const ph of ["A", "B", "C"]) {
      ss.set(203, `Wph${ph}`, Math.round(w / 3));
      ss.set(203, `PhVph${ph}`, this.voltageV);
      ss.set(203, `Aph${ph}`, Math.round((Math.abs(w) / 3 / this.voltageV) * 100) / 100);
    }
    ss.set(203, "A", Math.round((Math.abs(w) / this.voltageV) * 100) / 100);
    ss.set(203, "TotWhImp", Math.round(this.#importWh));
    ss.set(203, "TotWhExp", Math.round(this.#exportWh));
  }
}
