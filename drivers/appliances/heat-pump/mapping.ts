// The heat pump in EFI Storage terms, and storage steps as register writes: pure. Fill level =
// buffer temperature (degC). Actuator 0, the compressor, has running modes 0 off (allowed from the
// comfort floor up) and 1 on (allowed up to the safety ceiling), heating at ratedPower x COP over
// the tank's heat capacity. Timer 0 minimum run and timer 1 minimum off block the way back.
// Leakage to ambient grows with the temperature, so it is given in 10 degC bands.
import { DriverError, type ControlStep } from "../../../src/device/driver.ts";
import {
  formatDateTime, formatDuration, type Measurement, type StorageRegistration, type StorageStatus, type StorageSystemDescription,
} from "../../../src/efi/index.ts";
import { nameplateOf, parseState } from "../common/adapter.ts";
import type { ApplianceSpec, Command } from "../common/driver.ts";
import { contentId, header, round, statusId, timerUpdates } from "../common/efi.ts";
import { DEVICE_TYPES } from "../common/registers.ts";
import { HEAT_PUMP_MAP, type HeatPumpMap } from "./registers.ts";
import { heatCapacity, HeatPumpStateSchema, type HeatPumpState } from "./state.ts";

export const ACTUATOR = 0;
export const MODES = { off: 0, on: 1 } as const;
export const TIMERS = { minRun: 0, minOff: 1 } as const;
const BAND = 10;
const TOP = 100;

interface Options {
  resourceId: string;
}

export function registration(s: HeatPumpState, o: Options, now: Date): StorageRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "StorageRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT1S",
    deviceDescription: { deviceClass: "Heatpump", serialNumber, label: `${manufacturer} ${model}` },
    fillLevelLabel: "Buffer temperature",
    fillLevelUnit: "degC",
    actuators: [{ id: ACTUATOR, label: "compressor", supportedCommodity: ["ELECTRICITY"] }],
  };
}

export function systemDescription(s: HeatPumpState, o: Options, now: Date): StorageSystemDescription {
  const capacity = heatCapacity(s.volumeL);
  const heatW = s.ratedPowerW * s.cop;
  const bands = Array.from({ length: TOP / BAND }, (_, i) => i * BAND);
  const content = {
    actuatorBehaviours: [{
      actuatorId: ACTUATOR,
      runningModes: [
        { type: "discrete" as const, id: MODES.off, label: "off", discreteRunningModeElement: [{ fillLevelLowerBound: s.minC, fillLevelUpperBound: TOP, fillingRate: 0, electricalPower: 0 }] },
        {
          type: "discrete" as const, id: MODES.on, label: "on",
          discreteRunningModeElement: [{ fillLevelLowerBound: 0, fillLevelUpperBound: s.maxC, fillingRate: round(heatW / capacity), electricalPower: s.ratedPowerW, heatThermalPower: round(heatW) }],
        },
      ],
      timers: [
        { id: TIMERS.minRun, label: "minimum run", duration: formatDuration(s.minRunS * 1000) },
        { id: TIMERS.minOff, label: "minimum off", duration: formatDuration(s.minOffS * 1000) },
      ],
      transitions: [
        { fromRunningModeId: MODES.off, toRunningModeId: MODES.on, startTimers: [{ timerId: TIMERS.minRun }], blockingTimers: [{ timerId: TIMERS.minOff }] },
        { fromRunningModeId: MODES.on, toRunningModeId: MODES.off, startTimers: [{ timerId: TIMERS.minOff }], blockingTimers: [{ timerId: TIMERS.minRun }] },
      ],
    }],
    // The loss at the band's middle: degC/s, positive cools.
    leakageBehaviour: bands.map((b) => ({ fillLevelLowerBound: b, fillLevelUpperBound: b + BAND, leakageRate: round((s.heatLossWPerK * (b + BAND / 2 - s.ambientC)) / capacity) })),
  };
  return { kind: "StorageSystemDescription", header: header(o.resourceId, now), flexibilityUpdateId: contentId("sd", content), validFrom: formatDateTime(now.getTime()), ...content };
}

export function status(s: HeatPumpState, o: Options, now: Date): StorageStatus {
  return {
    kind: "StorageStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: statusId(now),
    validFrom: formatDateTime(now.getTime()),
    currentFillLevel: s.bufferC,
    actuatorStatuses: [{
      actuatorId: ACTUATOR,
      currentRunningMode: s.on ? MODES.on : MODES.off,
      timerUpdates: timerUpdates([{ timerId: TIMERS.minRun, seconds: s.minRunLeftS }, { timerId: TIMERS.minOff, seconds: s.minOffLeftS }], now),
    }],
  };
}

export const measurement = (s: HeatPumpState, o: Options, now: Date): Measurement => ({
  kind: "Measurement", header: header(o.resourceId, now), measurementTimestamp: formatDateTime(now.getTime()),
  electricityMeasurement: { power: s.powerW }, heatMeasurement: { temperature: s.bufferC },
});

export function command(step: ControlStep): Command<HeatPumpMap, HeatPumpState> {
  if (step.category !== "storage") throw new DriverError(`a heat pump takes storage steps, not ${step.category}`);
  if (step.actuatorId !== ACTUATOR) throw new DriverError(`the heat pump has one actuator, ${ACTUATOR}, not ${step.actuatorId}`);
  if (step.runningModeId === MODES.on) return { what: "switch on", writes: [["control", 1]], explain: (s) => (s.minOffLeftS > 0 ? `its minimum off time has ${s.minOffLeftS} s to go` : undefined) };
  if (step.runningModeId === MODES.off) return { what: "switch off", writes: [["control", 2]], explain: (s) => (s.minRunLeftS > 0 ? `its minimum run time has ${s.minRunLeftS} s to go` : undefined) };
  throw new DriverError(`the heat pump has running modes 0 off and 1 on, not ${step.runningModeId}`);
}

/** Telemetry names: power (W), bufferTemp (Cel), ambientTemp (Cel), consumed (J, since manufacture). */
export function spec(o: Options): ApplianceSpec<HeatPumpMap, HeatPumpState> {
  return {
    category: "storage",
    noun: "heat pump",
    deviceType: DEVICE_TYPES.heatPump,
    map: HEAT_PUMP_MAP,
    state: (id, r, where) => parseState(HeatPumpStateSchema, {
      nameplate: nameplateOf(id), bufferC: r.bufferTemp, ambientC: r.ambientTemp, on: r.compressor === 1, thermostat: r.control === 0,
      powerW: r.power, ratedPowerW: r.ratedPower, cop: r.cop, volumeL: r.tankVolume, heatLossWPerK: r.heatLoss, minC: r.tempMin, maxC: r.tempMax,
      minRunS: r.minRun, minOffS: r.minOff, minRunLeftS: r.minRunLeft, minOffLeftS: r.minOffLeft, energyWh: r.energy,
    }, where),
    report: (s, now) => ({
      identity: { MAN: s.nameplate.manufacturer, MODEL: s.nameplate.model, SN: s.nameplate.serialNumber, CLASS: "Heatpump", EFI: "storage", PMAX: s.ratedPowerW },
      registration: registration(s, o, now),
      updates: [systemDescription(s, o, now)],
      status: [status(s, o, now), measurement(s, o, now)],
      telemetry: [
        { n: "power", u: "W", v: s.powerW },
        { n: "bufferTemp", u: "Cel", v: s.bufferC },
        { n: "ambientTemp", u: "Cel", v: s.ambientC },
        { n: "consumed", u: "J", v: s.energyWh * 3600 },
      ],
    }),
    command,
    release: () => ({ what: "hand control back to the thermostat", writes: [["control", 0]] }),
  };
}
