// XML -> typed EFI message. The walk follows the structure description: it resolves namespace
// prefixes per element, reads attributes and text by their XSD lexical forms, keeps the XSD's
// element order, and stops at the first structural problem with its path. The value it builds
// then goes through the message's zod schema, cross-field rules included.
import type { Element } from "ltx/lib/ltx.js";
import { EfiDecodeError } from "../errors.ts";
import type { Field, FieldXml, Item, NodeShape } from "../model/dsl.ts";
import { isMessageKind, MESSAGES, type EfiMessage, type EfiMessageOf, type MessageKind } from "../model/messages.ts";
import type { Scalar } from "../model/scalars.ts";
import { EFI_NS, EFI_PREFIX, ROOT_SCOPE, scopeInTree, scopeOf, splitName, type Scope } from "../namespaces.ts";
import { toIssues } from "./paths.ts";
import { parseXml } from "./xml.ts";

type Out = Record<string, unknown>;
const NO_ATTRS: ReadonlyMap<string, Field> = new Map();
const BLANK_RE = /^[ \t\r\n]*$/;

function fail(path: string, reason: string): never {
  throw new EfiDecodeError([{ path, reason }]);
}

/**
 * Decodes an EFI 2.0 message from XML text or an ltx element (which may sit inside a stanza; the
 * namespace declarations of its ancestors count). With `expect`, any other kind is an error.
 * Throws EfiDecodeError.
 */
export function decode(input: string | Element): EfiMessage;
export function decode<K extends MessageKind>(input: string | Element, expect: K): EfiMessageOf<K>;
export function decode(input: string | Element, expect?: MessageKind): EfiMessage {
  const el = typeof input === "string" ? parseXml(input) : input;
  const scope = typeof input === "string" ? scopeOf(el, ROOT_SCOPE) : scopeInTree(el);
  const [prefix, local] = splitName(el.name);
  const ns = scope[prefix];
  if (ns !== EFI_NS) fail(local, `<${el.name}> is not in the EFI namespace ${EFI_NS}${ns ? ` (it is in ${ns})` : ""}`);
  if (!isMessageKind(local)) fail(local, `unknown EFI element '${local}': not one of the 21 EFI 2.0 messages`);
  if (expect && local !== expect) fail(local, `expected ${expect}, got ${local}`);
  const desc = MESSAGES[local];
  const raw = readNode(el, desc.shape, scope, local, true);
  const result = desc.schema.safeParse(raw);
  if (!result.success) throw new EfiDecodeError(toIssues(local, desc.shape, raw, result.error.issues));
  return result.data as EfiMessage;
}

/** Reads EFI attributes into `out`; foreign-namespace attributes (xsi:, xml:) are ignored. Returns efiVersion when `root`. */
function readAttributes(el: Element, attrs: ReadonlyMap<string, Field>, scope: Scope, path: string, out: Out, root: boolean): string | undefined {
  let version: string | undefined;
  for (const name in el.attrs) {
    const colon = name.indexOf(":");
    if (colon < 0) {
      if (name === "xmlns") continue;
      fail(`${path}/@${name}`, `attribute '${name}' has no namespace; EFI attributes are qualified, e.g. ${EFI_PREFIX}:${name}`);
    }
    const prefix = name.slice(0, colon);
    if (prefix === "xmlns") continue;
    const ns = scope[prefix];
    if (ns === undefined) fail(`${path}/@${name}`, `namespace prefix '${prefix}' is not declared`);
    if (ns !== EFI_NS) continue;
    const local = name.slice(colon + 1);
    const value = el.attrs[name]!;
    if (root && local === "efiVersion") {
      version = value;
      continue;
    }
    const field = attrs.get(local);
    if (!field) fail(`${path}/@${local}`, `unknown attribute '${name}'`);
    if (out[local] !== undefined) fail(`${path}/@${local}`, `attribute '${local}' is given twice`);
    out[local] = readScalar((field.xml as { scalar: Scalar<unknown> }).scalar, value, `${path}/@${local}`);
  }
  return version;
}

function readScalar(scalar: Scalar<unknown>, text: string, path: string): unknown {
  const value = scalar.read(text);
  if (value === undefined) fail(path, `'${text}' is not a valid ${scalar.xsd}`);
  return value;
}

/** The EFI local name of a child element, or undefined for a foreign one (skipped, as XMPP does). */
function efiName(child: Element, scope: Scope, path: string): string | undefined {
  const name = child.name;
  const colon = name.indexOf(":");
  const prefix = colon < 0 ? "" : name.slice(0, colon);
  const local = colon < 0 ? name : name.slice(colon + 1);
  const ns = scope[prefix];
  if (ns === EFI_NS) return local;
  if (ns === undefined || ns === "") {
    fail(`${path}/${local}`, prefix ? `namespace prefix '${prefix}' is not declared` : `element '${local}' is in no namespace; EFI elements are in ${EFI_NS}`);
  }
  return undefined;
}

/** Calls `visit` for each EFI child element with its scope and local name; text must be blank, foreign elements are skipped. */
function forEachEfiChild(el: Element, scope: Scope, path: string, visit: (child: Element, scope: Scope, local: string) => void): void {
  for (const c of el.children) {
    if (typeof c === "string") {
      if (!BLANK_RE.test(c)) fail(path, `unexpected text '${c.trim().slice(0, 40)}'`);
      continue;
    }
    const cscope = scopeOf(c, scope);
    const local = efiName(c, cscope, path);
    if (local !== undefined) visit(c, cscope, local);
  }
}

function readNode(el: Element, shape: NodeShape, scope: Scope, path: string, root = false): Out {
  const out: Out = {};
  if (shape.tag) out[shape.tag.key] = shape.tag.value;
  const version = readAttributes(el, shape.attrs, scope, path, out, root);
  if (root && version !== "2.0") fail(`${path}/@efiVersion`, version === undefined ? "missing; must be 2.0" : `'${version}' is not 2.0`);
  for (const f of shape.attrs.values()) {
    if (out[f.key] === undefined && !f.xml.optional) fail(`${path}/@${f.key}`, `missing attribute '${f.key}'`);
  }
  let last: Field | undefined;
  forEachEfiChild(el, scope, path, (c, cscope, local) => {
    const field = shape.elems.get(local);
    if (!field) fail(`${path}/${local}`, `unknown EFI element '${local}' in ${lastStep(path)}`);
    const repeats = field === last && field.xml.kind === "list" && field.xml.itemName === undefined;
    if (last && (field.order < last.order || (field === last && !repeats))) {
      fail(`${path}/${local}`, field === last ? `element '${local}' is given twice` : `element '${local}' is out of order: it must come before '${last.key}'`);
    }
    last = field;
    out[field.key] = readField(c, field.xml, cscope, path, local, out[field.key]);
  });
  for (const f of shape.sequence) {
    if (out[f.key] === undefined && !f.xml.optional) fail(`${path}/${f.key}`, `missing element '${f.key}'`);
  }
  return out;
}

function readField(el: Element, x: FieldXml, scope: Scope, parent: string, local: string, sofar: unknown): unknown {
  switch (x.kind) {
    case "elem":
      return readItem(el, x.item, scope, `${parent}/${local}`);
    case "list": {
      if (x.itemName === undefined) {
        const items = (sofar as unknown[] | undefined) ?? [];
        items.push(readItem(el, x.item, scope, `${parent}/${local}[${items.length}]`));
        return items;
      }
      return readWrapped(el, scope, `${parent}/${local}`, x.itemName, () => x.item);
    }
    case "choice":
      return readWrapped(el, scope, `${parent}/${local}`, undefined, (name) => x.variants.find((v) => v.element === name)?.item);
    default:
      throw new Error(`${x.kind} field is not an element`);
  }
}

/** A wrapper's items: `itemName` elements, or for a choice any element `itemFor` knows. */
function readWrapped(el: Element, scope: Scope, path: string, itemName: string | undefined, itemFor: (name: string) => Item | undefined): unknown[] {
  readAttributes(el, NO_ATTRS, scope, path, {}, false);
  const items: unknown[] = [];
  forEachEfiChild(el, scope, path, (c, cscope, local) => {
    const item = itemName === undefined || local === itemName ? itemFor(local) : undefined;
    if (!item) fail(`${path}/${local}`, `unknown EFI element '${local}' in ${lastStep(path)}`);
    items.push(readItem(c, item, cscope, `${path}/${local}[${items.length}]`));
  });
  return items;
}

function readItem(el: Element, item: Item, scope: Scope, path: string): unknown {
  if ("node" in item) return readNode(el, item.node, scope, path);
  readAttributes(el, NO_ATTRS, scope, path, {}, false);
  let text = "";
  for (const c of el.children) {
    if (typeof c !== "string") fail(`${path}/${splitName(c.name)[1]}`, `unexpected element inside the value of ${lastStep(path)}`);
    text += c;
  }
  return readScalar(item.scalar, text, path);
}

function lastStep(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
