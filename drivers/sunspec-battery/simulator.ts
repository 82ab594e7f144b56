// A simulated SunSpec battery (models 1, 124, 802 and optionally a 203 meter) that speaks Modbus
// TCP on loopback and RTU on a mock line. Its state of charge integrates the power its control
// registers ask for (StorCtl_Mod bit 0: charge at InWRte % of WChaMax, bit 1: discharge at OutWRte %
// of WDisChaRteMax, both: hold; 0: its own behaviour), stops at full and empty, leaks by its
// self-discharge rate, and falls back to its own behaviour InOutWRte_RvrtTms after the last control
// write.
import { BATTERY, COMMON, METER, STORAGE, SunSpecSimulator } from "../sunspec/index.ts";
import { CHARGE_STATUS } from "./state.ts";

export interface BatterySimulatorOptions {
  /** Where 'SunS' sits: 40000 (default), 0 or 50000. */
  base?: number;
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  capacityWh?: number;
  maxChargeW?: number;
  maxDischargeW?: number;
  socPct?: number;
  selfDischargePctPerDay?: number;
  /** Model 802 (battery); without it the device has only 124 (no capacity, no power). Default true. */
  battery?: boolean;
  /** A model 203 meter on the battery's AC side. Default false. */
  meter?: boolean;
  /** Milliseconds; default Date.now. See acceleratedClock. */
  now?: () => number;
  /** What the battery does on its own (W, charging positive) at a time; default 0 (idle). */
  autonomousW?: (timeMs: number) => number;
}

/** A clock running `speed` times faster than the wall clock, for demonstrations. */
export function acceleratedClock(speed: number, start = Date.now()): () => number {
  return () => start + (Date.now() - start) * speed;
}

const VOLTS = 400;
const CONTROL_POINTS = ["StorCtl_Mod", "InWRte", "OutWRte"] as const;

export class BatterySimulator extends SunSpecSimulator {
  readonly #autonomous: (t: number) => number;
  readonly #capacityWh: number;
  readonly #leakPerS: number;
  readonly #meter: boolean;
  readonly #battery: boolean;
  readonly #control: Set<number>;
  #soc: number;
  #powerW = 0;
  #importWh = 0;
  #exportWh = 0;

  constructor(o: BatterySimulatorOptions = {}) {
    super(o.base ?? 40000, o.now ?? Date.now);
    this.#autonomous = o.autonomousW ?? (() => 0);
    this.#capacityWh = o.capacityWh ?? 10_000;
    this.#leakPerS = (o.selfDischargePctPerDay ?? 0) / 86400;
    this.#soc = o.socPct ?? 50;
    this.#battery = o.battery ?? true;
    this.#meter = o.meter ?? false;
    const maxChargeW = o.maxChargeW ?? 5000;
    const ss = this.sunspec;
    ss.add(COMMON, 1, { Mn: o.manufacturer ?? "flexfed", Md: o.model ?? "SimBattery", SN: o.serialNumber ?? "SIM-0001", Vr: "1.0.0", DA: 1 });
    ss.add(STORAGE, 124, {
      WChaMax: maxChargeW, WChaMax_SF: 0, StorCtl_Mod: 0, ChaState_SF: -1, InOutWRte_SF: -2, InWRte: 100, OutWRte: 100,
      InOutWRte_RvrtTms: 0, InOutWRte_WinTms: 0, InOutWRte_RmpTms: 0, ChaGriSet: 1, InBatV: VOLTS, InBatV_SF: -1,
    });
    if (this.#battery) {
      ss.add(BATTERY, 802, {
        WHRtg: this.#capacityWh, WHRtg_SF: 1, WChaRteMax: maxChargeW, WDisChaRteMax: o.maxDischargeW ?? maxChargeW, WChaDisChaMax_SF: 0,
        DisChaRte: o.selfDischargePctPerDay ?? 0, DisChaRte_SF: -2, SoCMax: 100, SoCMin: 0, SocRsvMax: 100, SoCRsvMin: 0, SoC_SF: -1,
        SoH: 100, SoH_SF: 0, LocRemCtl: 0, State: 3, V: VOLTS, V_SF: -1, A_SF: -1, W_SF: 0,
      });
    }
    if (this.#meter) ss.add(METER, 203, { A_SF: -1, V_SF: -1, PhVphA: 230, PhVphB: 230, PhVphC: 230, Hz: 50, Hz_SF: -2, W_SF: 0, TotWh_SF: 0 });
    this.writable(STORAGE, 124);
    if (this.#battery) this.writable(BATTERY, 802);
    this.#control = new Set(this.addresses(STORAGE, 124, (name) => (CONTROL_POINTS as readonly string[]).includes(name)));
    this.#setRegisters();
  }

  // --- for tests and the simulated site ---

  /** The physical state now. */
  get state(): { socPct: number; powerW: number; storCtlMod: number; inWRtePct: number; outWRtePct: number; chargeStatus: string | undefined } {
    this.settle();
    const get = (name: string) => (this.sunspec.get(124, name) as number | undefined) ?? 0;
    return {
      socPct: this.#soc, powerW: this.#powerW, storCtlMod: get("StorCtl_Mod"), inWRtePct: get("InWRte"), outWRtePct: get("OutWRte"),
      chargeStatus: CHARGE_STATUS[get("ChaSt") - 1],
    };
  }

  // --- the physics ---

  /** A write to a control register starts the revert timeout again. */
  protected override revertAfter(addresses: readonly number[]): number | undefined {
    if (!addresses.some((a) => this.#control.has(a))) return undefined;
    return (this.sunspec.get(124, "InOutWRte_RvrtTms") as number | undefined) ?? 0;
  }

  protected override revert(): void {
    this.sunspec.set(124, "StorCtl_Mod", 0);
  }

  /** W the battery is asked for at `t`, charging positive, before the full/empty limits. */
  #asked(t: number): number {
    const get = (name: string) => (this.sunspec.get(124, name) as number | undefined) ?? 0;
    switch (get("StorCtl_Mod") & 3) {
      case 1: return (get("InWRte") / 100) * get("WChaMax");
      case 2: return -(get("OutWRte") / 100) * ((this.#battery ? (this.sunspec.get(802, "WDisChaRteMax") as number) : 0) || get("WChaMax"));
      case 3: return 0;
      default: return this.#autonomous(t);
    }
  }

  #floor(): number {
    return this.#battery ? ((this.sunspec.get(802, "SoCRsvMin") as number | undefined) ?? 0) : 0;
  }

  #limited(w: number): number {
    if (w > 0 && this.#soc >= 100) return 0;
    if (w < 0 && this.#soc <= this.#floor()) return 0;
    return w;
  }

  protected advance(from: number, to: number): void {
    const seconds = (to - from) / 1000;
    const w = this.#asked(from);
    const level = this.#soc + ((w / this.#capacityWh) * 100 / 3600) * seconds - this.#leakPerS * seconds;
    const next = Math.min(100, Math.max(w < 0 ? this.#floor() : 0, level));
    // Energy moved is what the level moved, not what was asked.
    const movedWh = ((next - this.#soc + this.#leakPerS * seconds) / 100) * this.#capacityWh;
    if (movedWh > 0) this.#importWh += movedWh;
    else this.#exportWh -= movedWh;
    this.#soc = next;
  }

  protected publish(now: number): void {
    this.#powerW = this.#limited(this.#asked(now));
    this.#setRegisters();
  }

  #setRegisters(): void {
    const ss = this.sunspec;
    const w = this.#powerW;
    const status = this.#soc >= 100 ? "FULL" : this.#soc <= this.#floor() ? "EMPTY" : w > 0 ? "CHARGING" : w < 0 ? "DISCHARGING" : "HOLDING";
    const chaSt = CHARGE_STATUS.indexOf(status) + 1;
    const soc = Math.round(this.#soc * 10) / 10;
    ss.set(124, "ChaState", soc);
    ss.set(124, "ChaSt", chaSt);
    if (this.#battery) {
      ss.set(802, "SoC", soc);
      ss.set(802, "ChaSt", chaSt);
      // Model 802 as SunSpec batteries report it: discharge positive.
      ss.set(802, "W", Math.round(-w));
      ss.set(802, "A", Math.round((-w / VOLTS) * 10) / 10);
    }
    if (this.#meter) {
      ss.set(203, "W", Math.round(w));
      for (const ph of ["WphA", "WphB", "WphC"]) ss.set(203, ph, Math.round(w / 3));
      for (const ph of ["AphA", "AphB", "AphC"]) ss.set(203, ph, Math.round((Math.abs(w) / 3 / 230) * 10) / 10);
      // acc32 0 reads as "not accumulated", so the counters start at 1 Wh.
      ss.set(203, "TotWhImp", 1 + Math.round(this.#importWh));
      ss.set(203, "TotWhExp", 1 + Math.round(this.#exportWh));
    }
  }
}
