// What `flexfed watch` shows: one line per device (category, presence, power, the state of its
// control space, its latest instruction status). Pure text from the app's model.
import type { DeviceView } from "./model.ts";

const modeLabel = (modes: readonly { id: number; label?: string }[], id: number | undefined) =>
  id === undefined ? undefined : (modes.find((m) => m.id === id)?.label ?? `mode ${id}`);

/** The control space in a few words: fill level and mode, running mode, offered program. */
export function controlState(d: DeviceView): string {
  if (d.revoked) return "flexibility revoked";
  switch (d.category) {
    case "storage": {
      const reg = d.latest("StorageRegistration"), status = d.latest("StorageStatus"), desc = d.latest("StorageSystemDescription");
      if (!status) return "";
      const actuator = status.actuatorStatuses?.[0];
      const modes = desc?.actuatorBehaviours.find((b) => b.actuatorId === actuator?.actuatorId)?.runningModes ?? [];
      const mode = modeLabel(modes, actuator?.currentRunningMode);
      const factor = actuator?.runningModeFactor !== undefined ? ` ${actuator.runningModeFactor.toFixed(2)}` : "";
      return `${status.currentFillLevel.toFixed(1)} ${reg?.fillLevelUnit ?? ""}${mode ? `, ${mode}${factor}` : ""}`;
    }
    case "adjustable": {
      const status = d.latest("AdjustableStatus"), desc = d.latest("AdjustableSystemDescription");
      return status ? (modeLabel(desc?.runningModes ?? [], status.currentRunningModeId) ?? "") : "";
    }
    case "shiftable": {
      const update = d.latest("ShiftableUpdate");
      if (!update) return "no program offered";
      const alternatives = update.sequentialProfiles.reduce((n, p) => n + p.sequentialProfileAlternatives.length, 0);
      return `${alternatives} alternative(s), end before ${update.endBefore.slice(11, 16)}`;
    }
    case "inflexible":
      return d.latest("InflexibleCurtailmentOptions") ? "curtailable" : "";
    default:
      return "";
  }
}

const w = (v: number | undefined) => (v === undefined ? "" : `${Math.round(v)}`);

export function renderSite(devices: readonly DeviceView[], now: Date): string {
  const rows = devices.map((d) => {
    const status = d.latest("InstructionStatusUpdate");
    const presence = d.presence === "lost" ? `lost: ${d.lostReason ?? ""}` : d.presence;
    return [d.rid, d.category ?? "?", presence, w(d.sample("power")?.v), controlState(d), status ? `${status.status} ${status.instructionId}` : ""];
  });
  const head = ["DEVICE", "CATEGORY", "PRESENCE", "POWER W", "CONTROL SPACE", "LATEST INSTRUCTION"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [`flexfed watch  ${now.toISOString().slice(0, 19)}Z  ${devices.length} device(s)`, line(head), ...rows.map(line)].join("\n");
}
