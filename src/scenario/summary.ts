// The scenario's closing table: the day without flexibility (devices on their own) next to the day
// with the apps, and what the apps did.
import type { DayStats } from "./recorder.ts";

export interface AppCounts {
  sent: number;
  accepted: number;
  rejected: number;
  /** Failed or timed out (not carried out for another reason than EFI's rules). */
  failed: number;
}

export interface ScenarioSummary {
  home: string;
  congestion: { feeder: string; limitW: number; from: string; to: string };
  without: DayStats;
  with: DayStats;
  apps: Record<string, AppCounts>;
  alarmsRaised: number;
}

const kW = (w: number) => `${(w / 1000).toFixed(1)} kW`;
const kWh = (wh: number) => `${(wh / 1000).toFixed(1)} kWh`;
const pct = (r: number | undefined) => (r === undefined ? "-" : `${Math.round(r * 100)} %`);

export function formatSummary(s: ScenarioSummary): string {
  const h0 = s.without.sites[s.home], h1 = s.with.sites[s.home];
  const rows: [string, string, string][] = [
    [`${s.home} grid peak import`, kW(h0?.peakImportW ?? 0), kW(h1?.peakImportW ?? 0)],
    [`${s.home} grid peak export`, kW(h0?.peakExportW ?? 0), kW(h1?.peakExportW ?? 0)],
    [`${s.home} energy imported`, kWh(h0?.importWh ?? 0), kWh(h1?.importWh ?? 0)],
    [`${s.home} PV self-consumption`, pct(h0?.selfConsumption), pct(h1?.selfConsumption)],
    [`feeder ${s.congestion.feeder} peak`, kW(s.without.feederPeakW), kW(s.with.feederPeakW)],
    [`feeder peak ${s.congestion.from}-${s.congestion.to} (limit ${kW(s.congestion.limitW)})`, kW(s.without.congestionPeakW), kW(s.with.congestionPeakW)],
    ["minutes above the limit", s.without.minutesOverLimit.toFixed(0), s.with.minutesOverLimit.toFixed(0)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const table = [["", "without flexibility", "with flexibility"] as [string, string, string], ...rows]
    .map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(19)}  ${c.padStart(16)}`);
  const apps = Object.entries(s.apps).map(([name, c]) => `  ${name.padEnd(10)} ${c.sent} instructions sent, ${c.accepted} accepted, ${c.rejected} rejected, ${c.failed} failed or timed out`);
  return ["scenario: a simulated day, summary", ...table, ...apps, `  monitor    ${s.alarmsRaised} alarms raised`].join("\n");
}
