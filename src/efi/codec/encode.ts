// Typed EFI message -> XML. The value is validated by its zod schema first, so everything written
// validates against the official XSD: elements in sequence order, attributes qualified with the
// `efi` prefix declared on the root. One walk serves both outputs through a small sink interface.
import { Element } from "ltx/lib/ltx.js";
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

class StringSink implements Sink {
  out = "";
  private startOpen = false;
  private afterClose = false;
  private depth = 0;

  constructor(private readonly indent: string) {}

  open(name: string): void {
    if (this.startOpen) this.out += ">";
    if (this.indent && this.depth > 0) this.out += `\n${this.indent.repeat(this.depth)}`;
    this.out += `<${EFI_PREFIX}:${name}`;
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
      this.out += `</${EFI_PREFIX}:${name}>`;
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

function write(sink: Sink, message: EfiMessage): void {
  const kind: unknown = (message as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !isMessageKind(kind)) {
    throw new EfiEncodeError([{ path: "", reason: `unknown message kind '${String(kind)}'` }]);
  }
  const desc = MESSAGES[kind];
  const result = desc.schema.safeParse(message);
  if (!result.success) throw new EfiEncodeError(toIssues(kind, desc.shape, message, result.error.issues));
  sink.open(kind);
  sink.attr(ROOT_NS_ATTR, EFI_NS);
  sink.attr(`${EFI_PREFIX}:efiVersion`, "2.0");
  writeContent(sink, desc.shape, result.data as Record<string, unknown>);
  sink.close(kind);
}

function writeContent(sink: Sink, shape: NodeShape, value: Record<string, unknown>): void {
  for (const f of shape.attrs.values()) {
    const v = value[f.key];
    if (v !== undefined && f.xml.kind === "attr") sink.attr(`${EFI_PREFIX}:${f.key}`, f.xml.scalar.write(v));
  }
  for (const f of shape.sequence) {
    const v = value[f.key];
    if (v !== undefined) writeField(sink, f.key, f.xml, v);
  }
}

function writeField(sink: Sink, name: string, x: FieldXml, v: unknown): void {
  if (x.kind === "elem") return writeItem(sink, name, x.item, v);
  const items = v as Record<string, unknown>[];
  if (x.kind === "list") {
    if (x.itemName === undefined) {
      for (const item of items) writeItem(sink, name, x.item, item);
      return;
    }
    sink.open(name);
    for (const item of items) writeItem(sink, x.itemName, x.item, item);
    sink.close(name);
  } else if (x.kind === "choice") {
    sink.open(name);
    for (const item of items) {
      const variant = x.variants.find((alt) => alt.tag === item[alt.node.tag!.key])!;
      writeItem(sink, variant.element, variant.item, item);
    }
    sink.close(name);
  }
}

function writeItem(sink: Sink, name: string, item: Item, v: unknown): void {
  sink.open(name);
  if ("node" in item) writeContent(sink, item.node, v as Record<string, unknown>);
  else sink.text(item.scalar.write(v));
  sink.close(name);
}
