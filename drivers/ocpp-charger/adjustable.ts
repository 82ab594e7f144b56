// A session whose car does not report its state of charge, as EFI Adjustable: running modes charge
// (continuous, minimum to maximum current as W) and idle (0 W), both ways, no timers. Without a
// fill level there is no target: the app decides when the car charges and how fast. Pure.
import { formatDateTime, type AdjustableRegistration, type AdjustableStatus, type AdjustableSystemDescription, type EfiMessage } from "../../src/efi/index.ts";
import { currentMode, deviceDescription, digest, header, MODES, powerRange, TRANSITIONS, type ChargeCommand, type MappingOptions } from "./mapping.ts";
import type { ConnectorState, Nameplate } from "./state.ts";

export function registration(np: Nameplate, o: MappingOptions, now: Date): AdjustableRegistration {
  return {
    kind: "AdjustableRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT5S",
    deviceDescription: deviceDescription(np, o),
    supportedCommodities: ["ELECTRICITY"],
  };
}

export function systemDescription(o: MappingOptions, now: Date, validFrom: Date): AdjustableSystemDescription {
  const { minW, maxW } = powerRange(o);
  const content = {
    runningModes: [
      { type: "continuous" as const, id: MODES.charge, label: "charge", lowerBound: { electricalPower: minW }, upperBound: { electricalPower: maxW } },
      { type: "discrete" as const, id: MODES.idle, label: "idle", electricalPower: 0 },
    ],
    transitions: TRANSITIONS,
  };
  // As in Storage, the id covers the session.
  const from = formatDateTime(validFrom.getTime());
  return { kind: "AdjustableSystemDescription", header: header(o.resourceId, now), flexibilityUpdateId: `sd-${digest({ from, content })}`, validFrom: from, ...content };
}

export function status(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined, now: Date): AdjustableStatus {
  const { mode, factor } = currentMode(s, o, held);
  return {
    kind: "AdjustableStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: `st-${now.getTime()}`,
    validFrom: formatDateTime(now.getTime()),
    currentRunningModeId: mode,
    ...(factor !== undefined ? { runningModeFactor: factor } : {}),
    timerUpdates: [],
  };
}

/** The session's flexibility: the description valid from plug-in, the status now. */
export function offer(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined, now: Date): EfiMessage[] {
  return [systemDescription(o, now, new Date(s.pluggedAt ?? now.getTime())), status(s, o, held, now)];
}
