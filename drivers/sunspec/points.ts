// How SunSpec points are described: offsets count from the model's ID register (offset 0 = ID,
// 1 = L), as in the sunspec/models JSON. Tables are data; the codec reads and writes any point.

export type PointType =
  | "int16" | "uint16" | "acc16" | "enum16" | "bitfield16"
  | "int32" | "uint32" | "acc32" | "bitfield32" | "float32"
  | "string" | "sunssf";

export interface Point {
  readonly offset: number;
  readonly type: PointType;
  /** Registers; only strings need it (the others follow from the type). */
  readonly size?: number;
  /** The name of the scale-factor point in the same model. */
  readonly sf?: string;
  readonly units?: string;
  readonly access?: "RW";
}

export interface ModelDef {
  readonly name: string;
  /** Model ids sharing this layout (e.g. meters 201-204). */
  readonly ids: readonly number[];
  /** L: registers after the ID and L registers. */
  readonly length: number;
  readonly points: Readonly<Record<string, Point>>;
}

export function pointSize(p: Point): number {
  if (p.type === "string") return p.size ?? 1;
  return p.type.endsWith("32") ? 2 : 1;
}

/** Decoded values by point name: strings for strings, numbers otherwise, undefined when not implemented. */
export type ModelValues<M extends ModelDef> = {
  readonly [K in keyof M["points"]]: (M["points"][K]["type"] extends "string" ? string : number) | undefined;
};

export type PointName<M extends ModelDef> = keyof M["points"] & string;
