// The conditions the monitor watches, per device, as pure functions of what the app runtime knows.
// Values on an edge must not make an alarm flap: an alarm is raised outside the limits and cleared
// only once the value is back inside them by a margin (hysteresis).
import type { DeviceView } from "../../src/app/model.ts";
import type { TrackedInstruction } from "../../src/app/tracker.ts";
import type { Alarm } from "./alarm.ts";
import type { MonitorConfig } from "./config.ts";

/** A condition that holds now: an alarm to raise (or keep raised). */
export type Finding = Omit<Alarm, "state" | "since">;

interface Band { min: number; max: number; margin: number }

/**
 * Outside [min, max] raises; a raised alarm clears only inside [min + margin, max - margin].
 * Returns the limit crossed, or undefined when the value is fine.
 */
export function outside(v: number, band: Band, raised: boolean): number | undefined {
  const m = raised ? band.margin : 0;
  if (v < band.min + m) return band.min;
  if (v > band.max - m) return band.max;
  return undefined;
}

const FAILED = new Set(["TIMEOUT", "ABORTED", "FAILED"]);

/** AC voltages: any sample in V except a battery's DC side ("dcVoltage"). */
const isAcVoltage = (name: string, unit: string | undefined) => unit === "V" && !/^dc/i.test(name);

export function findings(
  d: DeviceView, now: number, cfg: MonitorConfig, instruction: TrackedInstruction | undefined,
  raised: (id: string) => boolean, onlineSince: number | undefined,
): Finding[] {
  const out: Finding[] = [];
  const add = (f: Omit<Finding, "id" | "device">) => out.push({ id: `${f.kind}:${d.rid}`, device: d.rid, ...f });

  if (d.presence === "offline") add({ kind: "offline", severity: "critical", text: `${d.rid} is offline: its session ended (device or network down)` });
  if (d.presence === "lost") add({ kind: "lost", severity: "critical", text: `${d.rid} lost its equipment: ${d.lostReason ?? "no reason given"}` });

  if (d.presence === "online") {
    // A device that never measured counts from when it came online.
    let newest = d.samples.size ? -Infinity : (onlineSince ?? now);
    for (const s of d.samples.values()) newest = Math.max(newest, s.t);
    if (now - newest > cfg.silentAfterMs) {
      add({ kind: "silent", severity: "warning", value: Math.round((now - newest) / 1000), limit: cfg.silentAfterMs / 1000, text: `${d.rid} has sent no measurement for ${Math.round((now - newest) / 1000)} s` });
    }
  }

  // The worst phase decides.
  const worst = (pick: (name: string, unit: string | undefined) => boolean, band: Band, id: string) => {
    let hit: { v: number; limit: number } | undefined;
    for (const [name, s] of d.samples) {
      if (!pick(name, s.u)) continue;
      const limit = outside(s.v, band, raised(id));
      if (limit !== undefined && (!hit || Math.abs(s.v - limit) > Math.abs(hit.v - hit.limit))) hit = { v: s.v, limit };
    }
    return hit;
  };
  const v = worst(isAcVoltage, cfg.voltage, `voltage:${d.rid}`);
  if (v) add({ kind: "voltage", severity: Math.abs(v.v - 230) > 0.15 * 230 ? "critical" : "warning", value: v.v, limit: v.limit, text: `${d.rid} measures ${v.v} V, outside ${cfg.voltage.min}-${cfg.voltage.max} V (EN 50160)` });
  const f = worst((_n, u) => u === "Hz", cfg.frequency, `frequency:${d.rid}`);
  if (f) add({ kind: "frequency", severity: "critical", value: f.v, limit: f.limit, text: `${d.rid} measures ${f.v} Hz, outside ${cfg.frequency.min}-${cfg.frequency.max} Hz` });

  const soc = stateOfCharge(d);
  if (soc !== undefined) {
    const limit = outside(soc, cfg.soc, raised(`soc:${d.rid}`));
    if (limit !== undefined) add({ kind: "soc", severity: "warning", value: soc, limit, text: `${d.rid} is at ${soc.toFixed(1)} % state of charge, outside ${cfg.soc.min}-${cfg.soc.max} %` });
  }

  // A failed instruction stays an alarm until a later one to the device succeeds. The device's
  // node tells of every app's instructions (ABORTED); the monitor's own tracker adds timeouts.
  const latest = latestInstruction(d, instruction);
  if (latest && (FAILED.has(latest.state) || (raised(`instruction:${d.rid}`) && latest.state !== "SUCCEEDED"))) {
    const failed = FAILED.has(latest.state);
    add({
      kind: "instruction", severity: "warning",
      text: failed ? `instruction ${latest.id} to ${d.rid} ended ${latest.state}${latest.info ? `: ${latest.info}` : ""}` : `an earlier instruction to ${d.rid} failed; the latest (${latest.id}) has not succeeded yet`,
    });
  }
  return out;
}

/** The newer of the device's published status and the app's own tracked instruction. */
function latestInstruction(d: DeviceView, tracked: TrackedInstruction | undefined): { id: string; state: string; info?: string } | undefined {
  const item = d.latest("InstructionStatusUpdate");
  const published = item && { id: item.instructionId, state: item.status, info: item.debugInformation, at: Date.parse(item.header.timestamp) };
  const own = tracked && { id: tracked.id, state: tracked.state, info: tracked.info, at: tracked.history.at(-1)!.at };
  if (!published) return own;
  if (!own) return published;
  return own.at >= published.at ? own : published;
}

/** A battery's state of charge, %: its "soc" telemetry, or a Storage fill level in %. */
function stateOfCharge(d: DeviceView): number | undefined {
  const soc = d.sample("soc");
  if (soc && (soc.u === "%EL" || soc.u === "%")) return soc.v;
  const reg = d.latest("StorageRegistration");
  if (reg?.fillLevelUnit === "%") return d.latest("StorageStatus")?.currentFillLevel;
  return undefined;
}
