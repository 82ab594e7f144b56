// Minimal typings for ltx 3.x (the package ships none). Only what flexfed uses.
// Import "ltx/lib/ltx.js", never "ltx": xmpp.js builds stanzas with the CommonJS build (lib/), and
// "ltx" resolves to the ESM build (src/), a different Element class that fails instanceof checks
// inside xmpp.js (an IQ handler returning such an element would answer an empty result).
declare module "ltx/lib/ltx.js" {
  export type Node = Element | string;
  export class Element {
    constructor(name: string, attrs?: Record<string, string | number | undefined>);
    name: string;
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    findNS(prefix?: string): string | undefined;
    getXmlns(): Record<string, string>;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    text(value: string): Element;
    attr(name: string): string | undefined;
    attr(name: string, value: string | number | null): Element;
    c(name: string | Element, attrs?: Record<string, string | number | undefined>): Element;
    cnode(child: Element): Element;
    t(text: string): Element;
    up(): Element;
    root(): Element;
    append(...nodes: Node[]): void;
    remove(el: Element | string, xmlns?: string): Element;
    toString(): string;
    write(writer: (s: string) => void): void;
  }
  export function parse(data: string, options?: unknown): Element;
  export function createElement(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: (Node | Node[] | null | undefined)[]): Element;
  export function escapeXML(s: string): string;
  export function unescapeXML(s: string): string;
  export function escapeXMLText(s: string): string;
  export function stringify(el: Element, indent?: number): string;
  export class Parser {
    constructor(options?: unknown);
    on(event: "element" | "error", cb: (x: any) => void): void;
    write(data: string): void;
    end(data?: string): void;
  }
}
