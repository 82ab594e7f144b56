// One description of the EFI structure drives everything: each builder returns the zod schema of
// a value together with how it sits in XML (attribute, text element, child, list, wrapped list,
// choice). The codec walks the XML side, zod validates, and z.infer gives the TypeScript types.
// JSON keys are the XML names, so a zod path maps straight onto an XML path.
import { z } from "zod";
import { EFI_PREFIX } from "../namespaces.ts";
import type { Scalar } from "./scalars.ts";

export type Item = { readonly scalar: Scalar<unknown> } | { readonly node: NodeShape };

export type FieldXml =
  /** A JSON-only discriminator ("kind" of a message, "type" of a running mode). */
  | { readonly kind: "tag"; readonly value: string; readonly optional: false }
  | { readonly kind: "attr"; readonly scalar: Scalar<unknown>; readonly optional: boolean }
  /** Exactly one child element (or at most one when optional). */
  | { readonly kind: "elem"; readonly item: Item; readonly optional: boolean }
  /** Repeated elements: named after the key, or, with `itemName`, inside a wrapper named after the key. */
  | { readonly kind: "list"; readonly item: Item; readonly itemName?: string; readonly min: number; readonly optional: boolean }
  /** A wrapper named after the key holding a mixed list of alternative elements. */
  | { readonly kind: "choice"; readonly variants: readonly Variant[]; readonly min: number; readonly optional: boolean };

export interface Variant {
  readonly element: string;
  readonly tag: string;
  readonly node: NodeShape;
  readonly item: Item;
}

export interface Field {
  readonly key: string;
  /** The attribute's name as the encoder writes it ("efi:id"). */
  readonly qname: string;
  readonly xml: FieldXml;
  /** Position in the XSD sequence; attributes and tags have none. */
  readonly order: number;
}

/** A complex type, precompiled for the codec. */
export interface NodeShape {
  readonly fields: readonly Field[];
  readonly keys: ReadonlySet<string>;
  readonly attrList: readonly Field[];
  readonly attrs: ReadonlyMap<string, Field>;
  readonly elems: ReadonlyMap<string, Field>;
  /** Element fields in sequence order, for encoding and required checks. */
  readonly sequence: readonly Field[];
  readonly tag?: { readonly key: string; readonly value: string };
  /** The cross-field rules, also installed on the zod schema; the encoder runs them inline. */
  readonly refine?: (value: any, ctx: z.RefinementCtx) => void;
}

export interface Desc<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly xml: FieldXml;
}

export interface NodeDesc<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly shape: NodeShape;
}

type AnyItem = Scalar<any> | NodeDesc;
type ItemSchema<I> = I extends NodeDesc<infer S> ? S : I extends Scalar<infer T> ? z.ZodType<T> : never;

const isNode = (i: AnyItem): i is NodeDesc => "shape" in i;
const itemOf = (i: AnyItem): Item => (isNode(i) ? { node: i.shape } : { scalar: i });
const schemaOf = (i: AnyItem): z.ZodType => (isNode(i) ? i.schema : i.schema);
const documented = <S extends z.ZodType>(s: S, doc?: string): S => (doc ? (s.describe(doc) as S) : s);

/** An attribute (always namespace-qualified in EFI). `doc` names the unit. */
export function attr<T>(scalar: Scalar<T>, doc?: string): Desc<z.ZodType<T>> {
  return { schema: documented(scalar.schema, doc), xml: { kind: "attr", scalar, optional: false } };
}

/** A child element holding a simple value. */
export function text<T>(scalar: Scalar<T>, doc?: string): Desc<z.ZodType<T>> {
  return { schema: documented(scalar.schema, doc), xml: { kind: "elem", item: { scalar }, optional: false } };
}

/** A child element of a complex type. */
export function child<S extends z.ZodType>(node: NodeDesc<S>, doc?: string): Desc<S> {
  return { schema: documented(node.schema, doc), xml: { kind: "elem", item: { node: node.shape }, optional: false } };
}

/** Elements repeated directly in the parent, named after the key. */
export function list<I extends AnyItem>(item: I, min = 1): Desc<z.ZodArray<ItemSchema<I>>> {
  const schema = z.array(schemaOf(item)).min(min) as z.ZodArray<ItemSchema<I>>;
  return { schema, xml: { kind: "list", item: itemOf(item), min, optional: false } };
}

/** A wrapper element named after the key, holding repeated `itemName` elements. */
export function wrapped<I extends AnyItem>(itemName: string, item: I, min = 1): Desc<z.ZodArray<ItemSchema<I>>> {
  const schema = z.array(schemaOf(item)).min(min) as z.ZodArray<ItemSchema<I>>;
  return { schema, xml: { kind: "list", item: itemOf(item), itemName, min, optional: false } };
}

/** A wrapper holding any mix of the alternatives; each alternative's node carries a `type` tag. */
export function choice<V extends Record<string, NodeDesc>>(variants: V, min = 1): Desc<z.ZodArray<V[keyof V]["schema"]>> {
  const list = Object.entries(variants).map(([element, v]): Variant => {
    if (!v.shape.tag) throw new Error(`choice alternative ${element} needs a tag field`);
    return { element, tag: v.shape.tag.value, node: v.shape, item: { node: v.shape } };
  });
  const key = list[0]!.node.tag!.key;
  const options = Object.values(variants).map((v) => v.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  const schema = z.array(z.discriminatedUnion(key, options)).min(min) as unknown as z.ZodArray<V[keyof V]["schema"]>;
  return { schema, xml: { kind: "choice", variants: list, min, optional: false } };
}

export function optional<S extends z.ZodType>(desc: Desc<S>): Desc<z.ZodOptional<S>> {
  if (desc.xml.kind === "tag") throw new Error("a tag cannot be optional");
  return { schema: desc.schema.optional(), xml: { ...desc.xml, optional: true } };
}

/** A constant discriminator that exists only in the JSON form. */
export function tag<const V extends string>(value: V): Desc<z.ZodLiteral<V>> {
  return { schema: z.literal(value), xml: { kind: "tag", value, optional: false } };
}

type Shape<F extends Record<string, Desc>> = { -readonly [K in keyof F]: F[K]["schema"] };
export type Refinement<F extends Record<string, Desc>> = (value: z.output<z.ZodObject<Shape<F>>>, ctx: z.RefinementCtx) => void;

/**
 * A complex type. Key order is the XSD sequence order. `refine` adds cross-field rules; its
 * issue paths are relative to this node.
 */
export function node<F extends Record<string, Desc>>(fields: F, refine?: Refinement<F>): NodeDesc<z.ZodObject<Shape<F>, z.core.$strict>> {
  const shape: Record<string, z.ZodType> = {};
  const all: Field[] = [];
  const attrs = new Map<string, Field>();
  const elems = new Map<string, Field>();
  const sequence: Field[] = [];
  let tagField: NodeShape["tag"];
  for (const [key, desc] of Object.entries(fields)) {
    shape[key] = desc.schema;
    const field: Field = { key, qname: `${EFI_PREFIX}:${key}`, xml: desc.xml, order: desc.xml.kind === "attr" || desc.xml.kind === "tag" ? -1 : sequence.length };
    all.push(field);
    if (desc.xml.kind === "tag") tagField = { key, value: desc.xml.value };
    else if (desc.xml.kind === "attr") attrs.set(key, field);
    else {
      elems.set(key, field);
      sequence.push(field);
    }
  }
  let schema = z.strictObject(shape) as unknown as z.ZodObject<Shape<F>, z.core.$strict>;
  if (refine) schema = schema.superRefine(refine as (v: unknown, ctx: z.RefinementCtx) => void);
  const keys = new Set(Object.keys(fields));
  return { schema, shape: { fields: all, keys, attrList: [...attrs.values()], attrs, elems, sequence, tag: tagField, refine } };
}

/** A global EFI element: a node tagged with its element name as `kind`. */
export function message<const K extends string, F extends Record<string, Desc>>(kind: K, fields: F, refine?: Refinement<F & { kind: Desc<z.ZodLiteral<K>> }>) {
  return { kind, ...node({ kind: tag(kind), ...fields }, refine) };
}
