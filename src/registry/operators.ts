// XEP-0347 search operators (§Search): one zod schema per element shape, discriminated by the
// element's name. Comparisons on strings are ordinal (by code point), as SQLite's BINARY collation.
import { z } from "zod";
import { TagName, XsBoolean, XsDouble } from "./tags.ts";

const required = (attr: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `missing attribute '${attr}'` : `attribute '${attr}' must be text`) });

const StrCompare = z.object({
  op: z.enum(["strEq", "strNEq", "strGt", "strGtEq", "strLt", "strLtEq"]),
  name: TagName,
  value: required("value"),
});
const StrRange = z.object({
  op: z.enum(["strRange", "strNRange"]),
  name: TagName,
  min: required("min"),
  max: required("max"),
  minIncluded: XsBoolean.default(true),
  maxIncluded: XsBoolean.default(true),
});
const StrMask = z.object({
  op: z.literal("strMask"),
  name: TagName,
  value: required("value"),
  wildcard: required("wildcard").min(1, "attribute 'wildcard' must not be empty"),
});
const NumCompare = z.object({
  op: z.enum(["numEq", "numNEq", "numGt", "numGtEq", "numLt", "numLtEq"]),
  name: TagName,
  value: required("value").pipe(XsDouble),
});
const NumRange = z.object({
  op: z.enum(["numRange", "numNRange"]),
  name: TagName,
  min: required("min").pipe(XsDouble),
  max: required("max").pipe(XsDouble),
  minIncluded: XsBoolean.default(true),
  maxIncluded: XsBoolean.default(true),
});

export const OPERATOR_NAMES = [
  ...StrCompare.shape.op.options, ...StrRange.shape.op.options, "strMask",
  ...NumCompare.shape.op.options, ...NumRange.shape.op.options,
] as const;

export const SearchOperator = z.discriminatedUnion("op", [StrCompare, StrRange, StrMask, NumCompare, NumRange], {
  error: (iss) => `unknown search operator <${String((iss.input as { op?: unknown })?.op)}/> (expected one of ${OPERATOR_NAMES.join(", ")})`,
});
export type SearchOperator = z.output<typeof SearchOperator>;
/** What a caller writes (attribute text), e.g. when building a request. */
export type SearchOperatorInput = z.input<typeof SearchOperator>;
