// What every SunSpec simulator does besides its physics: a SunSpec register image served over
// Modbus, writes only to the points it lets be written, a control setting that lapses its revert
// timeout after the last control write, and time from an injected clock integrated lazily whenever
// the device is read, written or inspected, so tests step their clock and no timer runs.
import type { Simulation } from "../../src/device/driver.ts";
import { ModbusException, RegisterImage, SimulatedModbusDevice } from "../modbus/index.ts";
import { SunSpecImage } from "./builder.ts";
import { pointSize, type ModelDef, type Point } from "./points.ts";

export abstract class SunSpecSimulator extends SimulatedModbusDevice {
  readonly sunspec: SunSpecImage;
  readonly #image = new RegisterImage();
  readonly #clock: () => number;
  readonly #writable = new Set<number>();
  #t: number;
  #revertAt: number | undefined;
  #refuse: number | undefined;

  /** `base`: where 'SunS' sits; `clock`: ms. */
  protected constructor(base: number, clock: () => number) {
    super();
    this.sunspec = new SunSpecImage(this.#image, base);
    this.#clock = clock;
    this.#t = clock();
  }

  // --- what the Modbus servers call ---

  read(address: number, count: number): number[] {
    this.settle();
    return this.#image.read(address, count);
  }

  write(address: number, values: readonly number[]): void {
    if (this.#refuse !== undefined) throw new ModbusException(this.#refuse);
    if (!values.every((_, i) => this.#writable.has(address + i))) throw new ModbusException(2);
    this.settle();
    this.#image.write(address, values);
    const seconds = this.revertAfter(values.map((_, i) => address + i));
    if (seconds !== undefined) this.#revertAt = seconds ? this.#t + seconds * 1000 : undefined;
    this.settle();
  }

  /** From now on every write is refused with this Modbus exception code (undefined: accepted again). */
  refuseWrites(code: number | undefined = 4): void {
    this.#refuse = code;
  }

  // --- for the device ---

  /** Integrates from the last settled time to the clock, split at the revert deadline, then publishes. */
  protected settle(): void {
    const now = this.#clock();
    for (;;) {
      if (this.#revertAt !== undefined && this.#revertAt <= this.#t) {
        this.#revertAt = undefined;
        this.revert();
      }
      if (this.#t >= now) break;
      const end = this.#revertAt !== undefined ? Math.min(now, this.#revertAt) : now;
      this.advance(this.#t, end);
      this.#t = end;
    }
    this.publish(now);
  }

  /** The physics from `from` to `to` (ms), under the control registers as they are. */
  protected abstract advance(from: number, to: number): void;

  /** Brings the registers up to the physics at `now`. */
  protected abstract publish(now: number): void;

  /** The revert timeout ran out: back to the device's own behaviour. */
  protected revert(): void {}

  /**
   * After a write to `addresses`: the revert timeout, s, it starts again (0: none), or undefined
   * when it is no control write and leaves the timeout running.
   */
  protected revertAfter(_addresses: readonly number[]): number | undefined {
    return undefined;
  }

  /** The addresses of model `id`'s points that `pick` picks. */
  protected addresses(def: ModelDef, id: number, pick: (name: string, p: Point) => boolean): number[] {
    return Object.entries(def.points).filter(([name, p]) => pick(name, p))
      .flatMap(([name, p]) => Array.from({ length: pointSize(p) }, (_, i) => this.sunspec.address(id, name) + i));
  }

  /** Lets the Modbus side write model `id`'s RW points; writes anywhere else are refused with exception 2. */
  protected writable(def: ModelDef, id: number): void {
    for (const a of this.addresses(def, id, (_, p) => p.access === "RW")) this.#writable.add(a);
  }
}

/** Serves a simulator over Modbus TCP on loopback for a simulated site. */
export async function simulation(sim: SunSpecSimulator, powerW: () => number): Promise<Simulation> {
  const { host, port } = await sim.listen();
  return { settings: { transport: { type: "tcp", host, port } }, where: `SunSpec over Modbus TCP ${host}:${port}`, powerW, stop: () => sim.stop() };
}
