// Meta tags (XEP-0347 §Meta Tags): names, kinds, the XEP's limits, and the tags flexfed knows.
import { z } from "zod";

export const NS_DISCOVERY = "urn:xmpp:iot:discovery";

/** XEP-0347 limits, plus flexfed's cap on tags per thing (the XEP's "tag name spam" advice). */
export const LIMITS = { nameLength: 32, stringValueLength: 128, tagsPerThing: 64 } as const;

/** Predefined numeric tags: the XEP's ALT LAT LON V and flexfed's PMAX (W) and CAP (Wh). */
export const NUMERIC_TAGS: ReadonlySet<string> = new Set(["ALT", "LAT", "LON", "V", "PMAX", "CAP"]);

/** Predefined string tags: the XEP's, and flexfed's EFI RID NODE SITE FEEDER (DESIGN.md §3). */
export const STRING_TAGS: ReadonlySet<string> = new Set([
  "APT", "AREA", "BLD", "CITY", "CLASS", "COUNTRY", "KEY", "MAN", "MLOC", "MNR", "MODEL", "NAME",
  "PURL", "REGION", "ROOM", "SN", "STREET", "STREETNR",
  "EFI", "RID", "NODE", "SITE", "FEEDER",
]);

/** The secret shared by thing and owner: never searchable, never returned. */
export const KEY = "KEY";

/** Tag names are case-insensitive: flexfed keeps them upper-case. */
export const TagName = z.string().check((ctx) => {
  const n = ctx.value;
  if (n.length < 1 || n.length > LIMITS.nameLength) {
    ctx.issues.push({ code: "custom", input: n, message: `tag name '${n}' must be 1 to ${LIMITS.nameLength} characters` });
  } else if (/[:#\s]/.test(n)) {
    ctx.issues.push({ code: "custom", input: n, message: `tag name '${n}' must not contain ':', '#' or white space` });
  }
}).transform((n) => n.toUpperCase());

/** xs:double as flexfed accepts it: a finite decimal or exponent number (no INF or NaN). */
export const XsDouble = z.string()
  .regex(/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/, { error: (iss) => `'${String(iss.input)}' is not a number` })
  .transform(Number);

export const XsBoolean = z.enum(["true", "false", "1", "0"], { error: (iss) => `'${String(iss.input)}' is not a boolean (true or false)` })
  .transform((b) => b === "true" || b === "1");

export const StrTag = z.object({
  type: z.literal("str"),
  name: TagName,
  value: z.string(),
}).check((ctx) => {
  const { name, value } = ctx.value;
  if (NUMERIC_TAGS.has(name)) ctx.issues.push({ code: "custom", input: name, message: `tag ${name} is numeric: send it as <num/>` });
  if (value.length > LIMITS.stringValueLength) {
    ctx.issues.push({ code: "custom", input: value, message: `tag ${name}: value longer than ${LIMITS.stringValueLength} characters` });
  }
});

export const NumTag = z.object({
  type: z.literal("num"),
  name: TagName,
  value: z.string(),
}).transform((t, ctx) => {
  if (STRING_TAGS.has(t.name)) ctx.issues.push({ code: "custom", input: t.name, message: `tag ${t.name} is a string: send it as <str/>` });
  const parsed = XsDouble.safeParse(t.value);
  if (!parsed.success) {
    ctx.issues.push({ code: "custom", input: t.value, message: `tag ${t.name}: '${t.value}' is not a number` });
    return z.NEVER;
  }
  return { type: "num" as const, name: t.name, value: parsed.data };
});

export const Tag = z.discriminatedUnion("type", [StrTag, NumTag]);
export type Tag = z.output<typeof Tag>;

/** A list of tags as a request carries it: distinct names, at most LIMITS.tagsPerThing. */
export const TagList = z.array(Tag).check((ctx) => {
  const seen = new Set<string>();
  for (const t of ctx.value) {
    if (seen.has(t.name)) ctx.issues.push({ code: "custom", input: t.name, message: `tag ${t.name} appears twice` });
    seen.add(t.name);
  }
  if (ctx.value.length > LIMITS.tagsPerThing) {
    ctx.issues.push({ code: "custom", input: ctx.value.length, message: `at most ${LIMITS.tagsPerThing} tags per thing, got ${ctx.value.length}` });
  }
});

/** Whether a name (any case) is one of the numeric tags flexfed predefines. */
export const isNumericTag = (name: string) => NUMERIC_TAGS.has(name.toUpperCase());
