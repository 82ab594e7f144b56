// The grid operator's congestion signal (urn:flexfed:grid:0, schemas/grid.xsd), an item on
// grid/<feeder> of pubsub.<domain> whose id is the signal's id. Ending a signal early is publishing
// it again with `end` = now (before it starts: `end` = `start`, an empty window); the node keeps the
// latest form of each signal, so a reader that comes late still sees how it ended.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { z } from "zod";

export const NS_GRID = "urn:flexfed:grid:0";

const INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
const daysIn = (y: number, m: number) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);

/**
 * An xs:dateTime with its zone (Z or ±hh:mm) on a real calendar day (24:00:00 is the next midnight). Without a zone each reader
 * would take its own; Date.parse alone takes 2026-02-30 for March 2 and a missing zone for local time.
 */
export function isInstant(s: string): boolean {
  const m = INSTANT.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo);
}

const IsoTime = z.string().refine(isInstant, "must be an ISO 8601 date-time with seconds and a zone (Z or ±hh:mm)");
/** xs:double's decimal and exponent forms only (Number() would also take "0x10" or ""). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export const DirectionSchema = z.enum(["import", "export"]);
export type Direction = z.infer<typeof DirectionSchema>;

export const CongestionSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'"),
  feeder: z.string().min(1),
  /** The feeder's total flow in `direction` may not exceed this, W. */
  limit: z.preprocess((v) => (typeof v === "string" && DECIMAL.test(v.trim()) ? Number(v) : v), z.number({ error: "must be a number of watts" }).finite().positive()),
  /** Which flow `limit` bounds; absent means import (the evening peak), export is a PV noon. */
  direction: DirectionSchema.optional(),
  start: IsoTime,
  end: IsoTime,
}).refine((c) => Date.parse(c.end) >= Date.parse(c.start), { path: ["end"], message: "must not be before start" });
export type Congestion = z.infer<typeof CongestionSchema>;

export class SignalError extends Error {
  override name = "SignalError";
}

export function encodeCongestion(c: Congestion): Element {
  return x("congestion", {
    xmlns: NS_GRID, id: c.id, feeder: c.feeder, limit: String(c.limit), ...(c.direction ? { direction: c.direction } : {}), start: c.start, end: c.end,
  });
}

export function parseCongestion(el: Element): Congestion {
  if (!el.is("congestion", NS_GRID)) throw new SignalError(`expected <congestion xmlns='${NS_GRID}'/>, got <${el.name} xmlns='${el.getNS() ?? ""}'/>`);
  const parsed = CongestionSchema.safeParse(el.attrs);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new SignalError(`<congestion/>${i.path.length ? ` @${i.path.join(".")}` : ""}: ${i.message}`);
  }
  return parsed.data;
}

export const directionOf = (c: Congestion): Direction => c.direction ?? "import";

/** Is the signal in force at `now` (ms)? */
export const active = (c: Congestion, now: number) => Date.parse(c.start) <= now && now < Date.parse(c.end);
