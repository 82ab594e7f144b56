// Typed EFI message -> XML. Everything written is valid by the message's schema, hence by the
// official XSD: elements in sequence order, attributes qualified with the `efi` prefix declared on
// the root. One walk serves both outputs (text, ltx element) through a small sink interface.
import { Element } from "ltx/lib/ltx.js";
import type { z } from "zod";
import { EfiEncodeError } from "../errors.ts";
import type { FieldXml, Item, NodeShape } from "../model/dsl.ts";
import { isMessageKind, MESSAGES, type EfiMessage } from "../model/messages.ts";
import { EFI_NS, EFI_PREFIX } from "../namespaces.ts";
import { toIssues } from "./paths.ts";

interface Sink {
  open(name: string): void;
  attr(name: string, value: string): void;
  text(value: string): void;
  close(name: string): void;
}

export interface EncodeOptions {
  /** Indent nested elements by this many spaces (0, the default, writes one line). */
  indent?: number;
}

const ROOT_NS_ATTR = `xmlns:${EFI_PREFIX}`;
const ATTR_SPECIAL_RE = /[&<>"\t\n\r]/;
const ATTR_SPECIAL_G = /[&<>"\t\n\r]/g;
const TEXT_SPECIAL_RE = /[&<>\r]/;
const TEXT_SPECIAL_G = /[&<>\r]/g;
// Tabs and line breaks in attributes are written as references, or an XML parser would turn them into spaces.
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };
const escapeChar = (c: string) => ESCAPES[c]!;

// Tags are built once per name rather than on every element.
const OPEN_TAGS = new Map<string, string>();
const CLOSE_TAGS = new Map<string, string>();

function tag(cache: Map<string, string>, name: string, make: (n: string) => string): string {
  let t = cache.get(name);
  if (t === undefined) cache.set(name, (t = make(name)));
  return t;
}

const openTag = (name: string) => tag(OPEN_TAGS, name, (n) => `<${EFI_PREFIX}:${n}`);
const closeTag = (name: string) => tag(CLOSE_TAGS, name, (n) => `</${EFI_PREFIX}:${n}>`);

class StringSink implements Sink {
  out = "";
  private startOpen = false;
  private afterClose = false;
  private depth = 0;

  constructor(private readonly indent: string) {}

  open(name: string): void {
    if (this.startOpen) this.out += ">";
    if (this.indent && this.depth > 0) this.out += `\n${this.indent.repeat(this.depth)}`;
    this.out += openTag(name);
    this.startOpen = true;
    this.afterClose = false;
    this.depth++;
  }

  attr(name: string, value: string): void {
    this.out += ` ${name}="${ATTR_SPECIAL_RE.test(value) ? value.replace(ATTR_SPECIAL_G, escapeChar) : value}"`;
  }

  text(value: string): void {
    this.out += `>${TEXT_SPECIAL_RE.test(value) ? value.replace(TEXT_SPECIAL_G, escapeChar) : value}`;
    this.startOpen = false;
  }

  close(name: string): void {
    this.depth--;
    if (this.startOpen) {
      this.out += "/>";
      this.startOpen = false;
    } else {
      if (this.indent && this.afterClose) this.out += `\n${this.indent.repeat(this.depth)}`;
      this.out += closeTag(name);
    }
    this.afterClose = true;
  }
}

class ElementSink implements Sink {
  root: Element | undefined;
  private current: Element | undefined;

  open(name: string): void {
    const el = new Element(`${EFI_PREFIX}:${name}`);
    if (this.current) this.current.cnode(el);
    else this.root = el;
    this.current = el;
  }

  attr(name: string, value: string): void {
    this.current!.attrs[name] = value;
  }

  text(value: string): void {
    this.current!.children.push(value);
  }

  close(): void {
    this.current = this.current!.parent ?? undefined;
  }
}

/** Encodes a message as XML text. Throws EfiEncodeError when the message is not valid. */
export function encode(message: EfiMessage, options: EncodeOptions = {}): string {
  const sink = new StringSink(" ".repeat(options.indent ?? 0));
  write(sink, message);
  return sink.out;
}

/** Encodes a message as an ltx element (the same XML as `encode`), e.g. to put in a stanza. */
export function encodeElement(message: EfiMessage): Element {
  const sink = new ElementSink();
  write(sink, message);
  return sink.root!;
}

// Thrown inside the walk at the first value the inline checks refuse; zod then says why.
const INVALID = Symbol("invalid");
const RULES_CTX = {
  addIssue() {
    throw INVALID;
  },
} as unknown as z.RefinementCtx;

/**
 * Writes while checking each value with the same rules as the zod schema (scalar `valid`, required
 * fields, unknown keys, list sizes, cross-field refinements). Only when a check fails does the
 * message go through zod, which reports every issue with its path: the common, valid case costs
 * no second walk.
 */
function write(sink: Sink, message: EfiMessage): void {
  const kind: unknown = (message as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !isMessageKind(kind)) {
    throw new EfiEncodeError([{ path: "", reason: `unknown message kind '${String(kind)}'` }]);
  }
  const desc = MESSAGES[kind];
  try {
    sink.open(kind);
    sink.attr(ROOT_NS_ATTR, EFI_NS);
    sink.attr(`${EFI_PREFIX}:efiVersion`, "2.0");
    writeContent(sink, desc.shape, message);
    sink.close(kind);
  } catch (err) {
    if (err !== INVALID) throw err;
    const result = desc.schema.safeParse(message);
    if (!result.success) throw new EfiEncodeError(toIssues(kind, desc.shape, message, result.error.issues));
    throw new Error(`EFI encoder: the inline checks refused a ${kind} that its schema accepts`);
  }
}

function writeContent(sink: Sink, shape: NodeShape, value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw INVALID;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!shape.keys.has(key)) throw INVALID;
  if (shape.tag && v[shape.tag.key] !== shape.tag.value) throw INVALID;
  for (const f of shape.attrList) {
    const a = v[f.key];
    const x = f.xml as Extract<FieldXml, { kind: "attr" }>;
    if (a === undefined) {
      if (!x.optional) throw INVALID;
    } else {
      if (!x.scalar.valid(a)) throw INVALID;
      sink.attr(f.qname, x.scalar.write(a));
    }
  }
  for (const f of shape.sequence) {
    const e = v[f.key];
    if (e !== undefined) writeField(sink, f.key, f.xml, e);
    else if (!f.xml.optional) throw INVALID;
  }
  shape.refine?.(v, RULES_CTX);
}

function writeField(sink: Sink, name: string, x: FieldXml, v: unknown): void {
  if (x.kind === "elem") return writeItem(sink, name, x.item, v);
  if (x.kind !== "list" && x.kind !== "choice") throw INVALID;
  if (!Array.isArray(v) || v.length < x.min) throw INVALID;
  if (x.kind === "list" && x.itemName === undefined) {
    for (const item of v) writeItem(sink, name, x.item, item);
    return;
  }
  sink.open(name);
  if (x.kind === "list") {
    for (const item of v) writeItem(sink, x.itemName!, x.item, item);
  } else {
    for (const item of v as Record<string, unknown>[]) {
      const variant = x.variants.find((alt) => alt.tag === item?.[alt.node.tag!.key]);
      if (!variant) throw INVALID;
      writeItem(sink, variant.element, variant.item, item);
    }
  }
  sink.close(name);
}

function writeItem(sink: Sink, name: string, item: Item, v: unknown): void {
  sink.open(name);
  if ("node" in item) writeContent(sink, item.node, v);
  else if (item.scalar.valid(v)) sink.text(item.scalar.write(v));
  else throw INVALID;
  sink.close(name);
}
