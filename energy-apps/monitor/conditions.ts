// The conditions the monitor watches, per device, as pure functions of what the app runtime knows.
// Each gives a verdict: the condition holds (raise its alarm, or keep it), it does not (clear it),
// or no verdict when it cannot be judged now: no such measurement, presence not known yet, a value
// in a band's margin (config.ts: the hysteresis), an instruction still running.
import type { DeviceView } from "../../src/app/model.ts";
import type { TrackedInstruction } from "../../src/app/tracker.ts";
import type { AlarmKind, Severity } from "./alarm.ts";
import type { Band, MonitorConfig } from "./config.ts";

export type Verdict =
  | { kind: AlarmKind; holds: true; severity: Severity; text: string; value?: number; limit?: number }
  | { kind: AlarmKind; holds: false; text: string; value?: number };

export interface Watch {
  now: number;
  /** The latest instruction the monitor's own runtime tracks for the device. */
  tracked?: TrackedInstruction;
  /** Since when the monitor has seen the device online, ms (unset while it is not). */
  onlineSince?: number;
}

export function verdicts(d: DeviceView, cfg: MonitorConfig, w: Watch): Verdict[] {
  return [...presence(d), silence(d, cfg.silentAfterMs, w), voltage(d, cfg.voltage), frequency(d, cfg.frequency), soc(d, cfg.soc), instruction(d, w.tracked)]
    .filter((v): v is Verdict => v !== undefined);
}

function presence(d: DeviceView): Verdict[] {
  const offline: Verdict = { kind: "offline", holds: true, severity: "critical", text: `${d.rid} is offline: its session ended (the device, its network or its power is down)` };
  const lost: Verdict = { kind: "lost", holds: true, severity: "critical", text: `${d.rid} lost its equipment: ${d.lostReason ?? "no reason given"}` };
  switch (d.presence) {
    case "unknown": return [];
    // Whether its equipment answers is unknown while the device is away.
    case "offline": return [offline];
    case "lost": return [{ kind: "offline", holds: false, text: `${d.rid} is connected again` }, lost];
    case "online": return [{ kind: "offline", holds: false, text: `${d.rid} is online again` }, { kind: "lost", holds: false, text: `${d.rid} reaches its equipment again` }];
  }
}

/**
 * Silent: online for longer than `after` with no measurement in that time. A device back online
 * (or first seen) gets `after` to measure; until it does, a silent alarm neither raises nor clears.
 */
function silence(d: DeviceView, after: number, { now, onlineSince }: Watch): Verdict | undefined {
  if (d.presence !== "online") return undefined;
  let newest = -Infinity;
  for (const s of d.samples.values()) newest = Math.max(newest, s.t);
  if (now - newest <= after) return { kind: "silent", holds: false, text: `${d.rid} measures again` };
  const quiet = now - Math.max(newest, onlineSince ?? now);
  if (quiet <= after) return undefined;
  const s = Math.round(quiet / 1000);
  return { kind: "silent", holds: true, severity: "warning", value: s, limit: after / 1000, text: `${d.rid} is online but has sent no measurement for ${s} s` };
}

interface Reading { name: string; v: number }

/**
 * A band over one or more readings (phases): a reading outside raises (value and limit: the
 * farthest out; critical if any reading outside is), every reading inside by the margin clears,
 * anything else leaves the alarm as it is.
 */
function banded(
  kind: AlarmKind, readings: readonly Reading[], b: Band, range: string, severity: (v: number) => Severity, says: (r: Reading) => string,
): Verdict | undefined {
  if (!readings.length) return undefined;
  const beyond = (r: Reading) => Math.max(b.min - r.v, r.v - b.max);
  const worst = readings.reduce((a, r) => (beyond(r) > beyond(a) ? r : a));
  if (beyond(worst) > 0) {
    const critical = readings.some((r) => beyond(r) > 0 && severity(r.v) === "critical");
    return { kind, holds: true, severity: critical ? "critical" : "warning", value: worst.v, limit: worst.v < b.min ? b.min : b.max, text: `${says(worst)}, outside ${range}` };
  }
  if (beyond(worst) > -b.margin) return undefined;
  return { kind, holds: false, value: worst.v, text: `${says(worst)}, back inside ${range}` };
}

const isAcVoltage = (name: string, unit?: string) => unit === "V" && !/^dc/i.test(name);

/** Any sample in V (DSMR 1-0:32.7.0, SunSpec voltageL1 ...) except a battery's DC side (dcVoltage). */
function voltage(d: DeviceView, b: MonitorConfig["voltage"]): Verdict | undefined {
  const readings = [...d.samples].flatMap(([name, s]) => (isAcVoltage(name, s.u) ? [{ name, v: s.v }] : []));
  return banded("voltage", readings, b, `${b.min}-${b.max} V (EN 50160)`, (v) => (v > b.max || v < b.criticalBelow ? "critical" : "warning"),
    (r) => `${d.rid} measures ${r.v} V on ${r.name}`);
}

function frequency(d: DeviceView, b: Band): Verdict | undefined {
  const readings = [...d.samples].flatMap(([name, s]) => (s.u === "Hz" ? [{ name, v: s.v }] : []));
  return banded("frequency", readings, b, `${b.min}-${b.max} Hz (EN 50160)`, () => "critical", (r) => `${d.rid} measures ${r.v} Hz on ${r.name}`);
}

function soc(d: DeviceView, b: Band): Verdict | undefined {
  const v = stateOfCharge(d);
  if (v === undefined) return undefined;
  return banded("soc", [{ name: "soc", v }], b, `${b.min}-${b.max} %`, () => "warning", (r) => `${d.rid} is at ${r.v} % state of charge`);
}

/** A stationary battery's state of charge, %: its "soc" telemetry, or a Storage fill level in %. */
function stateOfCharge(d: DeviceView): number | undefined {
  // A car's charge is its driver's business: charging to 100 % is normal, arriving nearly empty too.
  if (d.tags.CLASS === "Electrical Vehicle") return undefined;
  const sample = d.sample("soc");
  if (sample && (sample.u === "%EL" || sample.u === "%")) return sample.v;
  if (d.latest("StorageRegistration")?.fillLevelUnit === "%") return d.latest("StorageStatus")?.currentFillLevel;
  return undefined;
}

/** Normal endings of an instruction the device reports as ABORTED (xep/devices.md §3): an app ended it. */
const ENDED_BY_APP = /^(revoked by|superseded by) /;

/**
 * The device's latest instruction, from any app: the InstructionStatusUpdate item on efi/<rid>
 * (ABORTED reaches the monitor that way), or the monitor's own tracked one (TIMEOUT, FAILED).
 * A failure holds until a later instruction ends well: SUCCEEDED, or ended by its app.
 */
function instruction(d: DeviceView, tracked: TrackedInstruction | undefined): Verdict | undefined {
  const latest = latestInstruction(d, tracked);
  if (!latest) return undefined;
  const { id, state, info } = latest;
  const endedByApp = state === "ABORTED" && ENDED_BY_APP.test(info ?? "");
  if (state === "TIMEOUT" || state === "FAILED" || (state === "ABORTED" && !endedByApp)) {
    return { kind: "instruction", holds: true, severity: "warning", text: `instruction ${id} to ${d.rid} ended ${state}${info ? `: ${info}` : ""}` };
  }
  if (state === "SUCCEEDED" || endedByApp) return { kind: "instruction", holds: false, text: `instruction ${id} to ${d.rid} ended ${endedByApp ? info : "SUCCEEDED"}` };
  return undefined;
}

/** The newer of the device's published status and the monitor's own tracked instruction. */
function latestInstruction(d: DeviceView, tracked: TrackedInstruction | undefined): { id: string; state: string; info?: string } | undefined {
  const item = d.latest("InstructionStatusUpdate");
  const published = item && { id: item.instructionId, state: item.status, info: item.debugInformation, at: Date.parse(item.header.timestamp) };
  const own = tracked && { id: tracked.id, state: tracked.state, info: tracked.info, at: tracked.history.at(-1)!.at };
  if (!published || !own) return published ?? own;
  return own.at >= published.at ? own : published;
}
