// The alarm the monitor publishes on alarms/<site> (urn:flexfed:alarm:0, schemas/alarm.xsd): one
// item per alarm id, holding its latest state, so a late reader sees what is raised now.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { z } from "zod";

export const NS_ALARM = "urn:flexfed:alarm:0";

export const ALARM_KINDS = ["voltage", "frequency", "offline", "lost", "silent", "soc", "instruction"] as const;

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date-time");
const Num = z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(z.number().finite());

export const AlarmSchema = z.object({
  /** `<kind>:<device>`: one alarm per condition and device. */
  id: z.string().min(1),
  kind: z.enum(ALARM_KINDS),
  device: z.string().min(1),
  state: z.enum(["raised", "cleared"]),
  severity: z.enum(["warning", "critical"]),
  /** When the condition began (raised) or ended (cleared). */
  since: IsoTime,
  value: Num.optional(),
  limit: Num.optional(),
  /** What happened, in words a user can act on. */
  text: z.string().min(1),
});
export type Alarm = z.infer<typeof AlarmSchema>;

export function encodeAlarm(a: Alarm): Element {
  const attrs: Record<string, string> = { xmlns: NS_ALARM, id: a.id, kind: a.kind, device: a.device, state: a.state, severity: a.severity, since: a.since };
  if (a.value !== undefined) attrs.value = String(a.value);
  if (a.limit !== undefined) attrs.limit = String(a.limit);
  return x("alarm", attrs, a.text);
}

export class AlarmError extends Error {
  override name = "AlarmError";
}

export function parseAlarm(el: Element): Alarm {
  if (!el.is("alarm", NS_ALARM)) throw new AlarmError(`expected <alarm xmlns='${NS_ALARM}'/>, got <${el.name} xmlns='${el.getNS() ?? ""}'/>`);
  const parsed = AlarmSchema.safeParse({ ...el.attrs, text: el.getText() });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AlarmError(`<alarm/> ${i.path.length ? `@${i.path.join(".")}` : ""}: ${i.message}`);
  }
  return parsed.data;
}
