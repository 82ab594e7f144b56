// The simulator side of SunSpec: lays models out in a register image and reads and writes their
// points by name, so simulators and tests never deal in offsets.
import type { RegisterImage } from "../modbus/index.ts";
import { decodePoint, encodeValue, notImplemented } from "./codec.ts";
import { SUNS, type ModelLocation } from "./discovery.ts";
import type { ModelDef, PointName } from "./points.ts";

export type PointValues<M extends ModelDef> = { [K in PointName<M>]?: M["points"][K]["type"] extends "string" ? string : number };

interface Placed {
  def: ModelDef;
  loc: ModelLocation;
}

export class SunSpecImage {
  readonly #placed = new Map<number, Placed>();
  #next: number;

  constructor(readonly image: RegisterImage, readonly base = 40000) {
    image.write(base, [...SUNS]);
    this.#next = base + 2;
    this.#end();
  }

  /**
   * Appends model `id` with `values`: engineering units, scale factors (…_SF) as raw integers.
   * Points left out read as not implemented; a scale factor left out is 0.
   */
  add<M extends ModelDef>(def: M, id: number, values: PointValues<M> = {}): this {
    if (!def.ids.includes(id)) throw new RangeError(`model ${def.name} is not model ${id}`);
    const loc = { id, address: this.#next, length: def.length };
    this.image.write(loc.address, [id, def.length]);
    this.image.write(loc.address + 2, new Array<number>(def.length).fill(0));
    this.#placed.set(id, { def, loc });
    // Scale factors first (given, or 0 when a point uses them), then the values scaled by them.
    for (const [name, p] of Object.entries(def.points)) {
      const given = (values as Record<string, number | string | undefined>)[name];
      const sf = p.type === "sunssf" ? given ?? (Object.values(def.points).some((q) => q.sf === name) ? 0 : undefined) : undefined;
      this.image.write(loc.address + p.offset, sf === undefined ? notImplemented(p) : encodeValue(name, p, sf));
    }
    for (const [name, given] of Object.entries(values)) if (given !== undefined && def.points[name]?.type !== "sunssf") this.set(id, name, given as number | string);
    this.#next = loc.address + 2 + def.length;
    this.#end();
    return this;
  }

  /** Writes a point in engineering units, with the scale factor the image holds. */
  set(id: number, name: string, value: number | string): void {
    const { def, loc } = this.#model(id);
    const p = def.points[name];
    if (!p) throw new RangeError(`model ${def.name} has no point ${name}`);
    const sf = p.sf ? (this.get(id, p.sf) as number | undefined) ?? 0 : 0;
    this.image.write(loc.address + p.offset, encodeValue(name, p, value, sf));
  }

  /** Marks a point not implemented. */
  clear(id: number, name: string): void {
    const { def, loc } = this.#model(id);
    const p = def.points[name];
    if (!p) throw new RangeError(`model ${def.name} has no point ${name}`);
    this.image.write(loc.address + p.offset, notImplemented(p));
  }

  /** A point's value (scaled; undefined when not implemented). */
  get(id: number, name: string): number | string | undefined {
    const { def, loc } = this.#model(id);
    return decodePoint(def, this.image.read(loc.address, def.length + 2), name);
  }

  /** The address of a point's first register. */
  address(id: number, name: string): number {
    const { def, loc } = this.#model(id);
    const p = def.points[name];
    if (!p) throw new RangeError(`model ${def.name} has no point ${name}`);
    return loc.address + p.offset;
  }

  get models(): ModelLocation[] {
    return [...this.#placed.values()].map((p) => p.loc);
  }

  #model(id: number): Placed {
    const placed = this.#placed.get(id);
    if (!placed) throw new RangeError(`the image has no model ${id}`);
    return placed;
  }

  #end(): void {
    this.image.write(this.#next, [0xffff, 0]);
  }
}
