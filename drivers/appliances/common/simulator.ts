// What the three appliance simulators share: their registers (identification block + their own
// map) served over Modbus, addresses outside their blocks refused with exception 2 (gaps inside read 0), writes turned into
// commands the appliance may refuse, and time from an injected clock integrated lazily whenever
// the device is read, written or inspected, so tests step their clock and no timer runs.
import { ModbusException, RegisterImage, SimulatedModbusDevice } from "../../modbus/index.ts";
import { encode, decode, extent, IDENTIFICATION, MAP_VERSION, words, type RegisterMap } from "./registers.ts";

export interface Nameplate {
  manufacturer: string;
  model: string;
  serialNumber: string;
}

export abstract class ApplianceSimulator<M extends RegisterMap> extends SimulatedModbusDevice {
  readonly #image = new RegisterImage();
  /** Address -> the register it belongs to. */
  readonly #at = new Map<number, { name: keyof M & string; writable: boolean }>();
  /** The blocks a read may cover; gaps inside a block are reserved and read 0. */
  readonly #blocks: { start: number; count: number }[];
  readonly #clock: () => number;
  #t: number;
  #refuse: number | undefined;

  protected constructor(private readonly map: M, deviceType: number, nameplate: Nameplate, clock: () => number) {
    super();
    this.#clock = clock;
    this.#t = clock();
    this.#blocks = [extent(IDENTIFICATION), extent(map)];
    for (const [name, r] of Object.entries({ ...IDENTIFICATION, ...map })) {
      for (let i = 0; i < words(r); i++) this.#at.set(r.address + i, { name, writable: r.access === "RW" && words(r) === 1 });
    }
    const id = IDENTIFICATION;
    for (const [r, v] of [[id.manufacturer, nameplate.manufacturer], [id.model, nameplate.model], [id.serialNumber, nameplate.serialNumber], [id.deviceType, deviceType], [id.mapVersion, MAP_VERSION]] as const) {
      this.#image.write(r.address, encode(r, v));
    }
  }

  // --- what the Modbus servers call ---

  read(address: number, count: number): number[] {
    if (!this.#blocks.some((b) => address >= b.start && address + count <= b.start + b.count)) throw new ModbusException(2);
    this.settle();
    return this.#image.read(address, count);
  }

  write(address: number, values: readonly number[]): void {
    if (this.#refuse !== undefined) throw new ModbusException(this.#refuse);
    const targets = values.map((_, i) => this.#at.get(address + i));
    if (!targets.every((t) => t?.writable)) throw new ModbusException(2);
    this.settle();
    targets.forEach((t, i) => this.command(t!.name, decode(this.map[t!.name]!, [values[i]!]) as number));
    this.settle();
  }

  /** From now on every write is refused with this Modbus exception code (undefined: accepted again). */
  refuseWrites(code: number | undefined = 4): void {
    this.#refuse = code;
  }

  /** Brings the physics up to the clock and the registers up to the physics. */
  settle(): void {
    const now = this.#clock();
    if (now > this.#t) this.advance(this.#t, now);
    this.#t = Math.max(this.#t, now);
    this.publish();
  }

  // --- for the appliance ---

  /** Simulated time, epoch ms, as far as the physics got. */
  /** The appliance's power now, W, consumption positive (a generator's is negative): what the site's meter sees. */
  abstract get sitePowerW(): number;

  protected get now(): number {
    return this.#t;
  }

  protected set(name: keyof M & string, value: number | string): void {
    const r = this.map[name]!;
    this.#image.write(r.address, encode(r, value));
  }

  protected get(name: keyof M & string): number {
    const r = this.map[name]!;
    return decode(r, this.#image.read(r.address, words(r))) as number;
  }

  /** Moves the physics from `from` to `to` (epoch ms); split at the appliance's own events. */
  protected abstract advance(from: number, to: number): void;
  /** A write to a RW register; throw a ModbusException to refuse it. */
  protected abstract command(name: keyof M & string, value: number): void;
  /** Writes the physical state into the registers. */
  protected abstract publish(): void;
}

/** Steps of at most `maxMs` from `from` to `to`, for physics that a single step would get wrong. */
export function* slices(from: number, to: number, maxMs: number): Generator<[number, number]> {
  for (let t = from; t < to; t += maxMs) yield [t, Math.min(to, t + maxMs)];
}
