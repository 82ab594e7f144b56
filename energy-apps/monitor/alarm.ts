// The alarm the monitor publishes on alarms/<site> (urn:flexfed:alarm:0, schemas/alarm.xsd): one
// item per alarm id, holding its latest state, so a late reader sees what is raised now.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { z } from "zod";
import { dateTimeProblem } from "../../src/efi/duration.ts";

export const NS_ALARM = "urn:flexfed:alarm:0";

export const ALARM_KINDS = ["voltage", "frequency", "offline", "lost", "silent", "soc", "instruction"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];
export const SEVERITIES = ["warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One alarm per condition and device. */
export const alarmId = (kind: AlarmKind, device: string) => `${kind}:${device}`;

/** "missing" for an absent attribute, else zod's own message. */
const required = { error: (iss: { input?: unknown }) => (iss.input === undefined ? "missing" : undefined) };
const DateTime = z.string(required).superRefine((s, ctx) => {
  const problem = dateTimeProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
// Attributes arrive as text, alarms being encoded as numbers.
const Num = z.preprocess((v) => (typeof v === "string" && v.trim() ? Number(v) : v), z.number({ error: "must be a number" }));

export const AlarmSchema = z.object({
  id: z.string(required).min(1),
  kind: z.enum(ALARM_KINDS, required),
  /** The device's efiResourceId. */
  device: z.string(required).min(1),
  state: z.enum(["raised", "cleared"], required),
  severity: z.enum(SEVERITIES, required),
  /** When the condition began (raised) or ended (cleared). */
  since: DateTime,
  /** The measured value (cleared: the value now) and the limit it crossed, in the measurement's unit (silent: seconds). */
  value: Num.optional(),
  limit: Num.optional(),
  /** What happened, in words a user can act on. */
  text: z.string().trim().min(1),
});
export type Alarm = z.output<typeof AlarmSchema>;

export class AlarmError extends Error {
  override name = "AlarmError";
}

function check(input: unknown, what: string): Alarm {
  const parsed = AlarmSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  // Attributes are named @name; the element's content is the text.
  const issues = parsed.error.issues.map((i) => `${i.path[0] === "text" ? "text" : `@${i.path.join(".")}`}: ${i.message}`);
  throw new AlarmError(`${what}: ${issues.join("; ")}`);
}

/** The alarm as XML; an alarm the XSD would refuse throws an AlarmError instead. */
export function encodeAlarm(input: Alarm): Element {
  const a = check(input, "cannot encode <alarm/>");
  const attrs: Record<string, string> = { xmlns: NS_ALARM, id: a.id, kind: a.kind, device: a.device, state: a.state, severity: a.severity, since: a.since };
  if (a.value !== undefined) attrs.value = String(a.value);
  if (a.limit !== undefined) attrs.limit = String(a.limit);
  return x("alarm", attrs, a.text);
}

/** Reads an alarm (any prefix); anything else throws an AlarmError naming every bad attribute. */
export function parseAlarm(el: Element): Alarm {
  if (!el.is("alarm", NS_ALARM)) throw new AlarmError(`expected <alarm xmlns='${NS_ALARM}'/>, got <${el.getName()} xmlns='${el.getNS() ?? ""}'/>`);
  return check({ ...el.attrs, text: el.getText() }, "invalid <alarm/>");
}
