// A simulated SunSpec PV inverter (models 1, 120, 103, and 123 or 704) over Modbus TCP or a mock
// RTU line. Its output follows a sun profile (W available from the panels at a time), capped at
// WRtg and, while the limit is enabled, at WMaxLimPct % of WRtg; the limit lapses its revert
// timeout after the last control write.
import { COMMON, CONTROLS, DER_CONTROLS, INVERTER, NAMEPLATE, SunSpecSimulator } from "../sunspec/index.ts";
import { clearSkyPower } from "./solar.ts";
import { INVERTER_STATUS } from "./state.ts";

export interface PvSimulatorOptions {
  base?: number;
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  /** WRtg, W; default 5000. */
  ratedW?: number;
  /** W the panels give at a time (ms); default a clear day at 52° N 5° E with a peak of ratedW. */
  sunW?: (timeMs: number) => number;
  /** The control model: 123 (default) or 704. */
  controls?: 123 | 704;
  /** Milliseconds; default Date.now. */
  now?: () => number;
  /** Lifetime energy at the start, Wh. */
  energyWh?: number;
}

const VOLTS = 230;

export class PvSimulator extends SunSpecSimulator {
  readonly #sun: (t: number) => number;
  readonly #ratedW: number;
  readonly #controls: 123 | 704;
  #energyWh: number;
  #outputW = 0;

  constructor(o: PvSimulatorOptions = {}) {
    super(o.base ?? 40000, o.now ?? Date.now);
    this.#ratedW = o.ratedW ?? 5000;
    const site = { latitude: 52, longitude: 5, peakW: this.#ratedW, tiltDeg: 35 };
    this.#sun = o.sunW ?? ((t) => clearSkyPower(site, t));
    this.#controls = o.controls ?? 123;
    this.#energyWh = o.energyWh ?? 1;
    const ss = this.sunspec;
    ss.add(COMMON, 1, { Mn: o.manufacturer ?? "flexfed", Md: o.model ?? "SimInverter 3ph", SN: o.serialNumber ?? "SIM-PV-0001", Vr: "1.0.0", DA: 1 });
    ss.add(NAMEPLATE, 120, { DERTyp: 4, WRtg: this.#ratedW, WRtg_SF: 0, VARtg: this.#ratedW, VARtg_SF: 0, ARtg: Math.ceil(this.#ratedW / 3 / VOLTS), ARtg_SF: 0 });
    ss.add(INVERTER, 103, { A_SF: -2, V_SF: -1, W_SF: 0, Hz: 50, Hz_SF: -2, PF: 100, PF_SF: 0, WH_SF: 0, Tmp_SF: -1, TmpCab: 35, Evt1: 0 });
    if (this.#controls === 123) {
      ss.add(CONTROLS, 123, { Conn: 1, WMaxLimPct: 100, WMaxLimPct_SF: -1, WMaxLimPct_WinTms: 0, WMaxLimPct_RvrtTms: 0, WMaxLimPct_RmpTms: 0, WMaxLim_Ena: 0 });
      this.writable(CONTROLS, 123);
    } else {
      ss.add(DER_CONTROLS, 704, { WMaxLimPctEna: 0, WMaxLimPct: 100, WMaxLimPctRvrt: 100, WMaxLimPctEnaRvrt: 0, WMaxLimPctRvrtTms: 0, WMaxLimPctRvrtRem: 0, WMaxLimPct_SF: 0 });
      this.writable(DER_CONTROLS, 704);
    }
    this.settle();
  }

  // --- for tests and the simulated site ---

  /** The output now: W produced, the limit (% of WRtg, when enabled), St as a name. */
  get state(): { outputW: number; limitPct: number | undefined; status: string | undefined; energyWh: number } {
    this.settle();
    const status = INVERTER_STATUS[(this.sunspec.get(103, "St") as number) - 1];
    return { outputW: this.#outputW, limitPct: this.#limit(), status, energyWh: this.#energyWh };
  }

  // --- the physics ---

  /** Every write is a control write: it starts the revert timeout again. */
  protected override revertAfter(): number {
    return this.#point(this.#controls === 123 ? "WMaxLimPct_RvrtTms" : "WMaxLimPctRvrtTms") ?? 0;
  }

  #point(name: string): number | undefined {
    return this.sunspec.get(this.#controls, name) as number | undefined;
  }

  /** The enabled limit, % of WRtg, or undefined. */
  #limit(): number | undefined {
    const enabled = this.#point(this.#controls === 123 ? "WMaxLim_Ena" : "WMaxLimPctEna") === 1;
    return enabled ? this.#point("WMaxLimPct") ?? 100 : undefined;
  }

  #available(t: number): number {
    return Math.max(0, Math.min(this.#ratedW, this.#sun(t)));
  }

  #output(t: number): number {
    const limit = this.#limit();
    return Math.min(this.#available(t), limit === undefined ? Infinity : (limit / 100) * this.#ratedW);
  }

  protected advance(from: number, to: number): void {
    this.#energyWh += (this.#output(from) * (to - from)) / 3_600_000;
  }

  protected override revert(): void {
    if (this.#controls === 123) this.sunspec.set(123, "WMaxLim_Ena", 0);
    else {
      this.sunspec.set(704, "WMaxLimPctEna", this.#point("WMaxLimPctEnaRvrt") ?? 0);
      this.sunspec.set(704, "WMaxLimPct", this.#point("WMaxLimPctRvrt") ?? 100);
    }
  }

  protected publish(now: number): void {
    this.#outputW = Math.round(this.#output(now));
    const ss = this.sunspec;
    const w = this.#outputW;
    const throttled = w < Math.round(this.#available(now));
    ss.set(103, "St", INVERTER_STATUS.indexOf(w <= 0 ? "SLEEPING" : throttled ? "THROTTLED" : "MPPT") + 1);
    ss.set(103, "W", w);
    ss.set(103, "DCW", Math.round(w * 1.03));
    const amps = Math.round((w / 3 / VOLTS) * 100) / 100;
    for (const ph of ["A", "B", "C"]) {
      ss.set(103, `PhVph${ph}`, VOLTS);
      ss.set(103, `Aph${ph}`, amps);
    }
    ss.set(103, "A", Math.round((w / VOLTS) * 100) / 100);
    ss.set(103, "WH", Math.round(this.#energyWh));
  }
}
