// What a simulated day measured, from the simulators' own powers (the ground truth, not what
// reached the apps): each site's net power, its PV production, and the feeder's total.
export interface SiteSample {
  /** Net power at the connection, W, import positive. */
  netW: number;
  /** PV production, W, >= 0. */
  pvW: number;
}

export interface SiteStats {
  peakImportW: number;
  peakExportW: number;
  importWh: number;
  exportWh: number;
  pvWh: number;
  /** Share of the PV production used on site: 1 - export / production (undefined without PV). */
  selfConsumption?: number;
}

export interface DayStats {
  sites: Record<string, SiteStats>;
  /** The feeder's (all sites') peak import, W, over the day and during the congestion window. */
  feederPeakW: number;
  congestionPeakW: number;
  /** Scenario minutes the feeder spent above the congestion limit. */
  minutesOverLimit: number;
}

export class DayRecorder {
  readonly #sites = new Map<string, Omit<SiteStats, "selfConsumption">>();
  #last: number | undefined;
  #feederPeak = 0;
  #congestionPeak = 0;
  #overMs = 0;

  /** `congestion`: the window (scenario ms) and limit of the day's congestion event. */
  constructor(private readonly congestion: { from: number; to: number; limitW: number }) {}

  /** One sample of every site at scenario time `t` (ms); energy accrues since the previous sample. */
  add(t: number, sites: Record<string, SiteSample>): void {
    const prev = this.#last ?? t;
    const dtH = Math.max(0, t - prev) / 3_600_000;
    this.#last = t;
    let total = 0;
    for (const [name, s] of Object.entries(sites)) {
      const st = this.#sites.get(name) ?? { peakImportW: 0, peakExportW: 0, importWh: 0, exportWh: 0, pvWh: 0 };
      st.peakImportW = Math.max(st.peakImportW, s.netW);
      st.peakExportW = Math.max(st.peakExportW, -s.netW);
      st.importWh += Math.max(0, s.netW) * dtH;
      st.exportWh += Math.max(0, -s.netW) * dtH;
      st.pvWh += s.pvW * dtH;
      this.#sites.set(name, st);
      total += s.netW;
    }
    this.#feederPeak = Math.max(this.#feederPeak, total);
    const { from, to, limitW } = this.congestion;
    if (t >= from && t < to) this.#congestionPeak = Math.max(this.#congestionPeak, total);
    // Only the part of the interval inside the window counts.
    if (total > limitW) this.#overMs += Math.max(0, Math.min(t, to) - Math.max(prev, from));
  }

  get stats(): DayStats {
    const sites: Record<string, SiteStats> = {};
    for (const [name, s] of this.#sites) {
      sites[name] = { ...s, ...(s.pvWh > 0 ? { selfConsumption: Math.max(0, 1 - s.exportWh / s.pvWh) } : {}) };
    }
    return { sites, feederPeakW: this.#feederPeak, congestionPeakW: this.#congestionPeak, minutesOverLimit: this.#overMs / 60_000 };
  }
}
