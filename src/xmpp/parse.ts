import type { Element } from "ltx/lib/ltx.js";
import type { z } from "zod";
import { XmppError } from "./errors.ts";

/**
 * Parses what arrives in a stanza at the boundary: `read` turns the element into a plain value,
 * `schema` checks it. A failure becomes `bad-request` whose text names the element and the
 * field at fault, so a peer learns what to fix.
 */
export function parseStanza<S extends z.ZodType>(el: Element, schema: S, read: (el: Element) => unknown = (e) => e.attrs): z.infer<S> {
  // A missing attribute or child reads "is missing" rather than zod's "expected string, received undefined".
  const result = schema.safeParse(read(el), { error: (iss) => (iss.input === undefined ? "is missing" : undefined) });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? ` ${issue.path.join("/")}` : "";
  throw new XmppError("bad-request", `<${el.getName()}>${where}: ${issue.message}`);
}
