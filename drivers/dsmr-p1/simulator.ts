// A simulated DSMR 5 meter: writes real telegrams (with CRC) into serialport's mock binding at its
// path, once per interval or whenever tick() is called. A load profile gives the power per phase;
// the meter integrates it into its energy registers (tariff 1 at night and weekends, tariff 2 by
// day, as Dutch meters do) and reports its gas meter every 5 minutes.
import { basename } from "node:path";
import { telegramCrc } from "./crc.ts";
import { createSimulatedPort, openedPort } from "./sim-binding.ts";
import { formatP1Timestamp, isEuropeanSummerTime } from "./timestamp.ts";

type Phases = [number, number, number];

/** Power per phase at a moment, W, each ≥ 0: what the site draws and what it feeds in. */
export interface PhasePower {
  importW: Phases;
  exportW: Phases;
  /** Default 230 V on each phase. */
  voltage?: Phases;
}
export type LoadProfile = (time: Date) => PhasePower;

export interface P1SimulatorOptions {
  /** Where the meter is plugged in, e.g. /dev/flexfed-p1-house1. */
  path: string;
  /** Telegram interval for start(), ms; DSMR 5 sends every second. */
  intervalMs?: number;
  profile?: LoadProfile;
  /** Gas use, m3/h; null for a meter without a gas meter. Default: heating mornings and evenings. */
  gas?: ((time: Date) => number) | null;
  clock?: () => Date;
  /** The meter's equipment id as text (telegrams carry it hex-encoded). */
  equipmentId?: string;
  /** Energy registers at the start, Wh. */
  energyWh?: Partial<EnergyRegisters>;
  /** Gas register at the start, m3. */
  gasM3?: number;
}

export interface EnergyRegisters {
  deliveredT1: number;
  deliveredT2: number;
  receivedT1: number;
  receivedT2: number;
}

/** What the latest telegram said, unrounded. */
export interface SimulatedState {
  time: Date;
  power: PhasePower & { voltage: Phases };
  tariff: 1 | 2;
  energyWh: EnergyRegisters;
  /** The gas meter's latest 5-minute report. */
  gas?: { time: Date; m3: number };
}

export interface TickOptions {
  /** Write the telegram with one digit changed after the CRC was computed. */
  corrupt?: boolean;
  /** Write it in this many pieces (a reader must reassemble them). */
  chunks?: number;
}

const HOUR = 3_600_000;
const GAS_REPORT_MS = 5 * 60_000;

export class P1Simulator {
  readonly path: string;
  /** A silent meter keeps measuring but writes nothing (a cable pulled out, a meter in trouble). */
  silent = false;
  #state: SimulatedState | undefined;
  #gasM3: number;
  #energy: EnergyRegisters;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: P1SimulatorOptions) {
    this.path = opts.path;
    this.#energy = { deliveredT1: 0, deliveredT2: 0, receivedT1: 0, receivedT2: 0, ...opts.energyWh };
    this.#gasM3 = opts.gasM3 ?? 0;
    createSimulatedPort(opts.path);
  }

  get state(): SimulatedState | undefined {
    return this.#state;
  }

  /** Sends a telegram every interval until stop(). */
  start(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.tick(), this.opts.intervalMs ?? 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Measures up to now and writes one telegram; returns it, or undefined when silent or nobody has the port open. */
  tick(options: TickOptions = {}): string | undefined {
    const state = this.#advance((this.opts.clock ?? (() => new Date()))());
    const text = renderTelegram(state, this.opts.equipmentId ?? `SIM-${basename(this.path)}`);
    const port = openedPort(this.path);
    if (this.silent || !port) return undefined;
    const sent = options.corrupt ? corrupt(text) : text;
    for (const piece of split(Buffer.from(sent, "latin1"), options.chunks ?? 1)) port.emitData(piece);
    return sent;
  }

  #advance(time: Date): SimulatedState {
    const prev = this.#state;
    const power = { voltage: [230, 230, 230] as Phases, ...(this.opts.profile ?? householdProfile)(time) };
    const tariff = dutchTariff(time);
    const hours = prev ? Math.max(0, time.getTime() - prev.time.getTime()) / HOUR : 0;
    const sum = (p: Phases) => p[0] + p[1] + p[2];
    this.#energy[tariff === 1 ? "deliveredT1" : "deliveredT2"] += sum(power.importW) * hours;
    this.#energy[tariff === 1 ? "receivedT1" : "receivedT2"] += sum(power.exportW) * hours;
    const gasRate = this.opts.gas === undefined ? heatingGas : this.opts.gas;
    let gas = prev?.gas;
    if (gasRate) {
      this.#gasM3 += gasRate(time) * hours;
      const report = new Date(Math.floor(time.getTime() / GAS_REPORT_MS) * GAS_REPORT_MS);
      if (!gas || report > gas.time) gas = { time: report, m3: this.#gasM3 };
    }
    this.#state = { time, power, tariff, energyWh: { ...this.#energy }, ...(gas ? { gas } : {}) };
    return this.#state;
  }
}

/** A DSMR 5.0.2 telegram for `state`, CRC included. */
export function renderTelegram(s: SimulatedState, equipmentId: string): string {
  const fixed = (v: number, decimals: number, width: number) => v.toFixed(decimals).padStart(width, "0");
  const kWh = (wh: number) => `${fixed(wh / 1000, 3, 10)}*kWh`;
  const kW = (w: number) => `${fixed(w / 1000, 3, 6)}*kW`;
  const hex = (text: string) => Buffer.from(text, "latin1").toString("hex").toUpperCase();
  const { importW, exportW, voltage } = s.power;
  const current = (i: 0 | 1 | 2) => `${fixed(Math.abs(importW[i] - exportW[i]) / voltage[i], 0, 3)}*A`;
  const lines = [
    "/FXF5\\2FLEXFED-P1-SIM",
    "",
    "1-3:0.2.8(50)",
    `0-0:1.0.0(${formatP1Timestamp(s.time)})`,
    `0-0:96.1.1(${hex(equipmentId)})`,
    `1-0:1.8.1(${kWh(s.energyWh.deliveredT1)})`,
    `1-0:1.8.2(${kWh(s.energyWh.deliveredT2)})`,
    `1-0:2.8.1(${kWh(s.energyWh.receivedT1)})`,
    `1-0:2.8.2(${kWh(s.energyWh.receivedT2)})`,
    `0-0:96.14.0(${fixed(s.tariff, 0, 4)})`,
    `1-0:1.7.0(${kW(importW[0] + importW[1] + importW[2])})`,
    `1-0:2.7.0(${kW(exportW[0] + exportW[1] + exportW[2])})`,
    "0-0:96.7.21(00000)",
    "0-0:96.7.9(00000)",
    "1-0:99.97.0(0)(0-0:96.7.19)",
    "1-0:32.32.0(00000)", "1-0:52.32.0(00000)", "1-0:72.32.0(00000)",
    "1-0:32.36.0(00000)", "1-0:52.36.0(00000)", "1-0:72.36.0(00000)",
    "0-0:96.13.0()",
    `1-0:32.7.0(${fixed(voltage[0], 1, 5)}*V)`, `1-0:52.7.0(${fixed(voltage[1], 1, 5)}*V)`, `1-0:72.7.0(${fixed(voltage[2], 1, 5)}*V)`,
    `1-0:31.7.0(${current(0)})`, `1-0:51.7.0(${current(1)})`, `1-0:71.7.0(${current(2)})`,
    `1-0:21.7.0(${kW(importW[0])})`, `1-0:41.7.0(${kW(importW[1])})`, `1-0:61.7.0(${kW(importW[2])})`,
    `1-0:22.7.0(${kW(exportW[0])})`, `1-0:42.7.0(${kW(exportW[1])})`, `1-0:62.7.0(${kW(exportW[2])})`,
    ...(s.gas
      ? ["0-1:24.1.0(003)", `0-1:96.1.0(${hex(`G${equipmentId}`)})`, `0-1:24.2.1(${formatP1Timestamp(s.gas.time)})(${fixed(s.gas.m3, 3, 9)}*m3)`]
      : []),
  ];
  const body = lines.join("\r\n") + "\r\n!";
  return `${body}${telegramCrc(body)}\r\n`;
}

/** Dutch meters: tariff 1 (low) from 23:00 to 07:00 local time and all weekend, tariff 2 otherwise. */
export function dutchTariff(time: Date): 1 | 2 {
  const local = new Date(time.getTime() + (isEuropeanSummerTime(time) ? 2 : 1) * HOUR);
  const day = local.getUTCDay();
  const hour = local.getUTCHours();
  return day === 0 || day === 6 || hour >= 23 || hour < 7 ? 1 : 2;
}

const localHour = (time: Date) => (time.getUTCHours() + time.getUTCMinutes() / 60 + (isEuropeanSummerTime(time) ? 2 : 1)) % 24;

/** A household's own load per phase, W: base load, a cooking peak at 18:00 on L1, a morning peak on L3. */
export const householdLoad = (time: Date): Phases => {
  const h = localHour(time);
  return [250 + 1800 * Math.exp(-((h - 18) ** 2)), 150, 100 + 400 * Math.exp(-((h - 8) ** 2))];
};

/** Net power per phase (consumption positive) as the meter's import and export registers see it. */
export const phasePower = (net: Phases): PhasePower => ({
  importW: net.map((w) => Math.max(0, w)) as Phases,
  exportW: net.map((w) => Math.max(0, -w)) as Phases,
});

/** A household with 4 kWp of PV on L1: its load, PV between 07:00 and 19:00. */
export const householdProfile: LoadProfile = (time) => {
  const h = localHour(time);
  const [l1, l2, l3] = householdLoad(time);
  const pv = h > 7 && h < 19 ? 4000 * Math.sin((Math.PI * (h - 7)) / 12) : 0;
  return phasePower([l1 - pv, l2, l3]);
};

/** Heating: 0.6 m3/h in the morning and evening, a pilot 0.02 m3/h otherwise. */
export const heatingGas = (time: Date): number => {
  const h = localHour(time);
  return (h >= 6 && h < 9) || (h >= 17 && h < 22) ? 0.6 : 0.02;
};

function corrupt(telegram: string): string {
  const at = telegram.indexOf("1-0:1.7.0(") + "1-0:1.7.0(".length;
  return telegram.slice(0, at) + (telegram[at] === "0" ? "1" : "0") + telegram.slice(at + 1);
}

function split(buf: Buffer, pieces: number): Buffer[] {
  const size = Math.ceil(buf.length / Math.max(1, pieces));
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}
