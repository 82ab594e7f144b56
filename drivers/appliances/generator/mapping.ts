// The generator in EFI Adjustable terms, and adjustable steps as register writes: pure.
// Running mode 0 off (discrete), 1 on (continuous from minPower to maxPower of production, so
// negative power). Timer 0 warm-up and timer 1 minimum run both start with off -> on, which costs
// startCost; timer 1 blocks on -> off. The warm-up blocks no transition, but the device refuses a
// new setpoint while it runs: such a step fails with a DriverError.
import { DriverError, type ControlStep } from "../../../src/device/driver.ts";
import { formatDateTime, formatDuration, type AdjustableRegistration, type AdjustableStatus, type AdjustableSystemDescription, type Measurement } from "../../../src/efi/index.ts";
import { nameplateOf, parseState } from "../common/adapter.ts";
import type { ApplianceSpec, Command } from "../common/driver.ts";
import { contentId, header, round, statusId, timerUpdates } from "../common/efi.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import type { GeneratorConfig } from "./config.ts";
import { GENERATOR_MAP, type GeneratorMap } from "./registers.ts";
import { GENERATOR_PHASES, GeneratorStateSchema, type GeneratorState } from "./state.ts";

export const MODES = { off: 0, on: 1 } as const;
export const TIMERS = { warmUp: 0, minRun: 1 } as const;

type Options = Pick<GeneratorConfig, "currency" | "startCost" | "fuelPrice"> & { resourceId: string };

/** Output at a factor of the on mode, and back. */
const outputAt = (s: GeneratorState, factor: number) => Math.round(s.minPowerW + factor * (s.maxPowerW - s.minPowerW));
const factorOf = (s: GeneratorState) => Math.min(1, Math.max(0, (s.setpointW - s.minPowerW) / (s.maxPowerW - s.minPowerW)));

export function registration(s: GeneratorState, o: Options, now: Date): AdjustableRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "AdjustableRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT1S",
    deviceDescription: { deviceClass: "Generator", serialNumber, label: `${manufacturer} ${model}` },
    currency: o.currency,
    supportedCommodities: ["ELECTRICITY"],
  };
}

export function systemDescription(s: GeneratorState, o: Options, now: Date): AdjustableSystemDescription {
  // Fuel per second at the bounds, in money.
  const cost = (lph: number) => round((lph / 3600) * o.fuelPrice);
  const content = {
    runningModes: [
      { type: "discrete" as const, id: MODES.off, label: "off", runningCost: 0, electricalPower: 0 },
      {
        type: "continuous" as const, id: MODES.on, label: "on",
        lowerBound: { runningCost: cost(s.fuelAtMinLph), electricalPower: -s.minPowerW },
        upperBound: { runningCost: cost(s.fuelAtMaxLph), electricalPower: -s.maxPowerW },
      },
    ],
    timers: [
      { id: TIMERS.warmUp, label: "warm-up", duration: formatDuration(s.warmUpS * 1000) },
      { id: TIMERS.minRun, label: "minimum run", duration: formatDuration(s.minRunS * 1000) },
    ],
    transitions: [
      {
        fromRunningModeId: MODES.off, toRunningModeId: MODES.on, transitionCost: o.startCost, transitionDuration: formatDuration(s.warmUpS * 1000),
        startTimers: [{ timerId: TIMERS.warmUp }, { timerId: TIMERS.minRun }],
      },
      { fromRunningModeId: MODES.on, toRunningModeId: MODES.off, blockingTimers: [{ timerId: TIMERS.minRun }] },
    ],
  };
  return {
    kind: "AdjustableSystemDescription",
    header: header(o.resourceId, now),
    flexibilityUpdateId: contentId("sd", content),
    validFrom: formatDateTime(now.getTime()),
    ...content,
  };
}

export function status(s: GeneratorState, o: Options, now: Date): AdjustableStatus {
  const on = s.phase !== "off";
  return {
    kind: "AdjustableStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: statusId(now),
    validFrom: formatDateTime(now.getTime()),
    currentRunningModeId: on ? MODES.on : MODES.off,
    ...(on ? { runningModeFactor: round(factorOf(s)) } : {}),
    timerUpdates: timerUpdates([{ timerId: TIMERS.warmUp, seconds: s.warmUpLeftS }, { timerId: TIMERS.minRun, seconds: s.minRunLeftS }], now),
  };
}

export const measurement = (s: GeneratorState, o: Options, now: Date): Measurement => ({
  kind: "Measurement", header: header(o.resourceId, now), measurementTimestamp: formatDateTime(now.getTime()), electricityMeasurement: { power: -s.outputW + 0 },
});

/** An adjustable step as writes: the setpoint first, so a start runs at the right output. */
export function command(step: ControlStep, s: GeneratorState): Command<GeneratorMap, GeneratorState> {
  if (step.category !== "adjustable") throw new DriverError(`a generator takes adjustable steps, not ${step.category}`);
  if (step.runningModeId === MODES.off) return { what: "stop", writes: [["command", 2]], explain: (now) => (now.minRunLeftS > 0 ? `its minimum run time has ${now.minRunLeftS} s to go` : undefined) };
  if (step.runningModeId !== MODES.on) throw new DriverError(`the generator has running modes 0 off and 1 on, not ${step.runningModeId}`);
  const f = step.factor;
  if (f === undefined || !(f >= 0 && f <= 1)) throw new DriverError(`running mode 1 (on) needs a factor in 0..1, not ${f}`);
  const w = outputAt(s, f);
  if (s.phase === "off") return { what: `start at ${w} W`, writes: [["setpoint", w], ["command", 1]] };
  return { what: `run at ${w} W`, writes: [["setpoint", w]], explain: (now) => (now.phase === "warming-up" ? `it is still warming up, ${now.warmUpLeftS} s to go` : undefined) };
}

/**
 * Telemetry names: power (W, EFI's sign: production negative), produced (J, since manufacture),
 * fuelLevel (%), setpoint (W, the output asked for).
 */
export function spec(o: Options): ApplianceSpec<GeneratorMap, GeneratorState> {
  return {
    category: "adjustable",
    noun: "generator",
    deviceType: DEVICE_TYPES.generator,
    map: GENERATOR_MAP,
    state: (id, r, where) => parseState(GeneratorStateSchema, {
      nameplate: nameplateOf(id), phase: GENERATOR_PHASES[r.state], remote: r.control === 1, setpointW: r.setpoint, outputW: r.power,
      minPowerW: r.minPower, maxPowerW: r.maxPower, warmUpS: r.warmUp, minRunS: r.minRun, warmUpLeftS: r.warmUpLeft, minRunLeftS: r.minRunLeft,
      fuelPct: r.fuelLevel, tankL: r.tankSize, fuelAtMinLph: r.fuelAtMin, fuelAtMaxLph: r.fuelAtMax, energyWh: r.energy,
    }, where),
    report: (s, now) => ({
      identity: { MAN: s.nameplate.manufacturer, MODEL: s.nameplate.model, SN: s.nameplate.serialNumber, CLASS: "Generator", EFI: "adjustable", PMAX: s.maxPowerW },
      registration: registration(s, o, now),
      updates: [systemDescription(s, o, now)],
      status: [status(s, o, now), measurement(s, o, now)],
      telemetry: [
        { n: "power", u: "W", v: -s.outputW + 0 },
        { n: "produced", u: "J", v: s.energyWh * 3600 },
        { n: "fuelLevel", u: "%", v: s.fuelPct },
        { n: "setpoint", u: "W", v: s.setpointW },
      ],
    }),
    command,
    release: () => ({ what: "hand control back", writes: [["control", 0]] }),
  };
}
