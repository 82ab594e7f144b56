// SenML measurement packs (RFC 8428): the JSON model as zod schemas, and its XML form for pubsub
// items. Drivers make records; the device runtime adds the base name and time and publishes.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { z } from "zod";

export const NS_SENML = "urn:ietf:params:xml:ns:senml";

/** RFC 8428 §4.5.1: names (after adding the base name) start with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9:./_-]*$/;

export const SenmlRecordSchema = z
  .object({
    bn: z.string().optional(),
    bt: z.number().finite().optional(),
    bu: z.string().optional(),
    bver: z.number().int().optional(),
    n: z.string().optional(),
    u: z.string().optional(),
    v: z.number().finite().optional(),
    vs: z.string().optional(),
    vb: z.boolean().optional(),
    s: z.number().finite().optional(),
    t: z.number().finite().optional(),
  })
  .strict()
  .refine((r) => [r.v, r.vs, r.vb].filter((v) => v !== undefined).length <= 1, { message: "a record carries at most one of v, vs and vb" });
export type SenmlRecord = z.infer<typeof SenmlRecordSchema>;

export const SenmlPackSchema = z.array(SenmlRecordSchema).min(1).superRefine((pack, ctx) => {
  let bn = "";
  pack.forEach((r, i) => {
    if (r.bn !== undefined) bn = r.bn;
    const name = bn + (r.n ?? "");
    if (!NAME.test(name)) ctx.addIssue({ code: "custom", path: [i, "n"], message: `name '${name}' is not a valid SenML name (RFC 8428 §4.5.1)` });
  });
});
export type SenmlPack = z.infer<typeof SenmlPackSchema>;

/** A measured value as drivers hand it over: a name (OBIS code, SunSpec point ...), a SenML unit, a value. */
export interface Reading {
  n: string;
  u?: string;
  v: number;
}

/** Builds a pack: base name and time on the first record, time in seconds since the epoch. */
export function pack(baseName: string, time: Date, readings: readonly Reading[]): SenmlPack {
  const bt = time.getTime() / 1000;
  return readings.map((r, i) => ({ ...(i === 0 ? { bn: baseName, bt } : {}), n: r.n, ...(r.u ? { u: r.u } : {}), v: r.v }));
}

/** Resolved records (RFC 8428 §4.6): full names, absolute times, base values applied. */
export function resolve(p: SenmlPack): { n: string; t: number; u?: string; v?: number; vs?: string; vb?: boolean; s?: number }[] {
  let bn = "", bt = 0, bu: string | undefined;
  return p.map((r) => {
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bu !== undefined) bu = r.bu;
    const u = r.u ?? bu;
    return {
      n: bn + (r.n ?? ""), t: bt + (r.t ?? 0),
      ...(u ? { u } : {}),
      ...(r.v !== undefined ? { v: r.v } : {}), ...(r.vs !== undefined ? { vs: r.vs } : {}),
      ...(r.vb !== undefined ? { vb: r.vb } : {}), ...(r.s !== undefined ? { s: r.s } : {}),
    };
  });
}

const ATTRS = ["bn", "bt", "bu", "bver", "n", "u", "v", "vs", "vb", "s", "t"] as const;
const NUMERIC: ReadonlySet<string> = new Set(["bt", "bver", "v", "s", "t"]);

/** RFC 8428 §7: <sensml xmlns='urn:ietf:params:xml:ns:senml'><senml n=.. v=../></sensml>. */
export function packToXml(p: SenmlPack): Element {
  return x("sensml", { xmlns: NS_SENML }, ...p.map((r) => {
    const attrs: Record<string, string> = {};
    for (const k of ATTRS) if (r[k] !== undefined) attrs[k] = String(r[k]);
    return x("senml", attrs);
  }));
}

/** Reads the XML form back; throws a ZodError naming the record and field at fault. */
export function packFromXml(el: Element): SenmlPack {
  const records = el.getChildren("senml").map((s) => {
    const r: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.attrs)) {
      if (k === "xmlns") continue;
      r[k] = NUMERIC.has(k) ? Number(v) : k === "vb" ? v === "true" : v;
    }
    return r;
  });
  return SenmlPackSchema.parse(records);
}
