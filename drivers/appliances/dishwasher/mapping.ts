// The dishwasher in EFI Shiftable terms, and shiftable steps as register writes: pure. While it
// waits (loaded, program and deadline set) it offers one sequential profile whose alternatives are
// its programs that still fit before the deadline, each a profile of its phases; it cannot pause
// inside a program. A step starts that program now. It has no flexibility when empty, running or
// done: once a program starts (by instruction or by itself) the update is withdrawn, and a new load
// offers a new one.
import { DriverError, type ControlStep } from "../../../src/device/driver.ts";
import { formatDateTime, formatDuration, type Measurement, type ShiftableRegistration, type ShiftableUpdate } from "../../../src/efi/index.ts";
import { nameplateOf, parseState } from "../common/adapter.ts";
import type { ApplianceSpec, Command } from "../common/driver.ts";
import { contentId, header } from "../common/efi.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import type { DishwasherConfig } from "./config.ts";
import { DISHWASHER_MAP, DISHWASHER_STATES, MAX_PROGRAMS, NONE, phaseKey, programKey, STARTED_BY, type DishwasherMap } from "./registers.ts";
import { DishwasherStateSchema, programSeconds, type DishwasherState, type Program } from "./state.ts";

export const SEQUENCE = 0;

type Options = Pick<DishwasherConfig, "deviceClass"> & { resourceId: string };

export function registration(s: DishwasherState, o: Options, now: Date): ShiftableRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "ShiftableRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT1S",
    deviceDescription: { deviceClass: o.deviceClass, serialNumber, label: `${manufacturer} ${model}` },
    supportedCommodities: ["ELECTRICITY"],
  };
}

/** The update while the dishwasher waits and some program still fits before its deadline. */
export function update(s: DishwasherState, o: Options, now: Date): ShiftableUpdate | undefined {
  if (s.state !== "waiting" || s.deadline === undefined) return undefined;
  const deadline = s.deadline;
  const fits = s.programs.flatMap((p, i) => (now.getTime() + programSeconds(p) * 1000 <= deadline ? [{ p, i }] : []));
  if (!fits.length) return undefined;
  const content = {
    endBefore: formatDateTime(deadline),
    sequentialProfiles: [{
      sequenceNr: SEQUENCE,
      maxIntervalBefore: "PT0S",
      sequentialProfileAlternatives: fits.map(({ p, i }) => ({
        alternativeNr: i,
        electricityProfile: p.phases.map((ph) => ({ duration: formatDuration(ph.durationS * 1000), power: ph.powerW })),
      })),
    }],
  };
  return {
    kind: "ShiftableUpdate",
    header: header(o.resourceId, now),
    // The cycle makes a new load a new update even with the same programs and deadline.
    flexibilityUpdateId: contentId("su", { cycle: s.cycle, ...content }),
    validFrom: formatDateTime(now.getTime()),
    ...content,
  };
}

export const measurement = (s: DishwasherState, o: Options, now: Date): Measurement => ({
  kind: "Measurement", header: header(o.resourceId, now), measurementTimestamp: formatDateTime(now.getTime()), electricityMeasurement: { power: s.powerW },
});

export function command(step: ControlStep, s: DishwasherState): Command<DishwasherMap, DishwasherState> {
  if (step.category !== "shiftable") throw new DriverError(`a dishwasher takes shiftable steps, not ${step.category}`);
  if (step.sequenceNr !== SEQUENCE) throw new DriverError(`the dishwasher offers sequential profile ${SEQUENCE} only, not ${step.sequenceNr}`);
  const program = s.programs[step.alternativeNr];
  if (!program) throw new DriverError(`the dishwasher has programs 0..${s.programs.length - 1}, not ${step.alternativeNr}`);
  if (s.state !== "waiting") throw new DriverError(`the dishwasher cannot start '${program.name}': it is ${s.state}`);
  return { what: `start program '${program.name}'`, writes: [["start", step.alternativeNr]] };
}

function programs(r: Record<string, number | string>, count: number): Program[] {
  return Array.from({ length: count }, (_, p) => ({
    name: String(r[programKey(p, "Name")]),
    phases: Array.from({ length: Number(r[programKey(p, "Phases")]) }, (_, k) => ({
      durationS: r[phaseKey(p, k, "Duration")] as number,
      powerW: r[phaseKey(p, k, "Power")] as number,
    })),
  }));
}

const optional = (v: number) => (v === NONE ? undefined : v);

/** Telemetry names: power (W), consumed (J, since manufacture), remaining (s, of the program running). */
export function spec(o: Options): ApplianceSpec<DishwasherMap, DishwasherState> {
  return {
    category: "shiftable",
    noun: "dishwasher",
    deviceType: DEVICE_TYPES.dishwasher,
    map: DISHWASHER_MAP,
    state: (id, r, where) => parseState(DishwasherStateSchema, {
      nameplate: nameplateOf(id), state: DISHWASHER_STATES[r.state], selected: r.program, deadline: r.deadline ? r.deadline * 1000 : undefined,
      runningProgram: optional(r.runningProgram), remainingS: r.remaining, powerW: r.power, energyWh: r.energy, startedBy: STARTED_BY[r.startedBy],
      cycle: r.cycle, programs: programs(r, Math.min(r.programCount, MAX_PROGRAMS)),
    }, where),
    report: (s, now) => {
      const u = update(s, o, now);
      return {
        identity: {
          MAN: s.nameplate.manufacturer, MODEL: s.nameplate.model, SN: s.nameplate.serialNumber, CLASS: o.deviceClass, EFI: "shiftable",
          PMAX: Math.max(...s.programs.flatMap((p) => p.phases.map((ph) => ph.powerW))),
        },
        registration: registration(s, o, now),
        updates: u ? [u] : [],
        status: [measurement(s, o, now)],
        telemetry: [
          { n: "power", u: "W", v: s.powerW },
          { n: "consumed", u: "J", v: s.energyWh * 3600 },
          { n: "remaining", u: "s", v: s.remainingS },
        ],
      };
    },
    command,
    // A started program runs to its end; a waiting one starts by itself at its deadline.
    release: () => undefined,
  };
}
