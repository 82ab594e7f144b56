// The claim string of XEP-0347 §Claiming (what a QR code on the thing carries):
// "IoTDisco" then ";NAME:VALUE" per tag, "#" before numeric names, "\" escaping ";" and "\".
import { RequestError } from "./errors.ts";
import { TagList, type Tag } from "./tags.ts";

const PREFIX = "IoTDisco";

/** Splits on unescaped ";" and resolves escapes ("\x" stands for x). */
function fields(body: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\" && i + 1 < body.length) current += body[++i];
    else if (c === ";") { out.push(current); current = ""; }
    else current += c;
  }
  out.push(current);
  return out;
}

export function parseQr(text: string): Tag[] {
  const s = text.trim();
  if (!s.startsWith(`${PREFIX};`)) throw new RequestError(`a claim string starts with '${PREFIX};', got '${s.slice(0, 20)}'`);
  const raw = fields(s.slice(PREFIX.length + 1)).filter((f) => f !== "").map((f) => {
    const colon = f.indexOf(":");
    if (colon < 0) throw new RequestError(`claim string field '${f}' has no ':' between name and value`);
    const numeric = f.startsWith("#");
    return { type: numeric ? "num" : "str", name: f.slice(numeric ? 1 : 0, colon), value: f.slice(colon + 1) };
  });
  const parsed = TagList.safeParse(raw);
  if (!parsed.success) throw new RequestError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

const escape = (v: string) => v.replace(/[\\;]/g, (c) => `\\${c}`);

export function formatQr(tags: readonly Tag[]): string {
  return [PREFIX, ...tags.map((t) => `${t.type === "num" ? "#" : ""}${t.name}:${escape(String(t.value))}`)].join(";");
}
