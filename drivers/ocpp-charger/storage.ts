// A session whose car reports its state of charge, as EFI Storage: fill level = energy charged in
// this session, kWh (meter register minus the session's start); a StorageFillLevelTargetProfile
// asks for the car's need by departure. Pure.
import {
  formatDateTime, formatDuration, type EfiMessage, type StorageFillLevelTargetProfile, type StorageRegistration, type StorageStatus,
  type StorageSystemDescription,
} from "../../src/efi/index.ts";
import {
  ACTUATOR, currentMode, departureAt, deviceDescription, digest, header, MODES, powerRange, round, TRANSITIONS, type ChargeCommand,
  type MappingOptions,
} from "./mapping.ts";
import { sessionWh, type ConnectorState, type Nameplate } from "./state.ts";

/** How long the fill level must hold the need after departure, for the target profile's last element. */
const AT_DEPARTURE_MS = 15 * 60_000;

/** kWh/s of the fill level at `w`. */
const fillingRate = (w: number): number => Number((w / 1000 / 3600).toPrecision(6));

export function registration(np: Nameplate, o: MappingOptions, now: Date): StorageRegistration {
  return {
    kind: "StorageRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT5S",
    deviceDescription: deviceDescription(np, o),
    fillLevelLabel: "Energy charged this session",
    fillLevelUnit: "kWh",
    actuators: [{ id: ACTUATOR, label: "charger", supportedCommodity: ["ELECTRICITY"] }],
  };
}

export function systemDescription(o: MappingOptions, now: Date, validFrom: Date): StorageSystemDescription {
  const { minW, maxW } = powerRange(o);
  const fill = { fillLevelLowerBound: 0, fillLevelUpperBound: o.car.capacityKWh };
  const content = {
    actuatorBehaviours: [{
      actuatorId: ACTUATOR,
      runningModes: [
        {
          type: "continuous" as const, id: MODES.charge, label: "charge",
          continuousRunningModeElement: [{
            ...fill,
            lowerBound: { fillingRate: fillingRate(minW), electricalPower: minW },
            upperBound: { fillingRate: fillingRate(maxW), electricalPower: maxW },
          }],
        },
        { type: "discrete" as const, id: MODES.idle, label: "idle", discreteRunningModeElement: [{ ...fill, fillingRate: 0, electricalPower: 0 }] },
      ],
      transitions: TRANSITIONS,
    }],
  };
  // The id covers the session (validFrom is the plug-in): an instruction for the last car is stale for the next.
  const from = formatDateTime(validFrom.getTime());
  return { kind: "StorageSystemDescription", header: header(o.resourceId, now), flexibilityUpdateId: `sd-${digest({ from, content })}`, validFrom: from, ...content };
}

/** kWh the session must charge: up to the target state of charge when the car tells, else the default need. */
export function needKWh(s: ConnectorState, o: MappingOptions): number {
  if (s.socPct === undefined) return Math.min(o.car.needKWh, o.car.capacityKWh);
  const charged = sessionWh(s) / 1000;
  return round(Math.min(o.car.capacityKWh, charged + Math.max(0, ((o.car.targetSocPct - s.socPct) / 100) * o.car.capacityKWh)), 2);
}

/** The need by departure: anything up to it until then, at least the need from departure on. */
export function targetProfile(s: ConnectorState, o: MappingOptions, now: Date): StorageFillLevelTargetProfile | undefined {
  if (s.pluggedAt === undefined) return undefined;
  const need = needKWh(s, o);
  const targetProfile = [
    { duration: formatDuration(departureAt(s.pluggedAt, o.car) - s.pluggedAt), fillLevelLowerBound: 0, fillLevelUpperBound: o.car.capacityKWh },
    { duration: formatDuration(AT_DEPARTURE_MS), fillLevelLowerBound: need, fillLevelUpperBound: o.car.capacityKWh },
  ];
  const validFrom = formatDateTime(s.pluggedAt);
  return { kind: "StorageFillLevelTargetProfile", header: header(o.resourceId, now), flexibilityUpdateId: `tp-${digest({ validFrom, targetProfile })}`, validFrom, targetProfile };
}

export function status(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined, now: Date): StorageStatus {
  const { mode, factor } = currentMode(s, o, held);
  return {
    kind: "StorageStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: `st-${now.getTime()}`,
    validFrom: formatDateTime(now.getTime()),
    currentFillLevel: round(sessionWh(s) / 1000, 3),
    actuatorStatuses: [{ actuatorId: ACTUATOR, currentRunningMode: mode, ...(factor !== undefined ? { runningModeFactor: factor } : {}) }],
  };
}

/** The session's flexibility: description and target valid from plug-in, the status now. */
export function offer(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined, now: Date): EfiMessage[] {
  const target = targetProfile(s, o, now);
  return [systemDescription(o, now, new Date(s.pluggedAt ?? now.getTime())), status(s, o, held, now), ...(target ? [target] : [])];
}
