// XML namespace handling. ltx keeps qualified names and xmlns declarations as literal attribute
// keys ("efi:id", "xmlns:efi"), so prefixes are resolved here, per element, against the scope
// of declarations in force.
import type { Element } from "ltx/lib/ltx.js";

export const EFI_NS = "http://www.flexiblepower.org/efi-2";
/** The prefix the encoder writes; decoding accepts any prefix or a default namespace. */
export const EFI_PREFIX = "efi";
export const XML_NS = "http://www.w3.org/XML/1998/namespace";

/** Prefix -> namespace URI; "" is the default namespace. Child scopes inherit by prototype. */
export type Scope = Readonly<Record<string, string>>;

// Null prototype, so a prefix such as "constructor" resolves to nothing rather than to Object.prototype.
export const ROOT_SCOPE: Scope = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, { xml: XML_NS }));

/** The scope inside `el`: `parent` plus the element's own xmlns declarations (shared when none). */
export function scopeOf(el: Element, parent: Scope): Scope {
  let scope: Record<string, string> | undefined;
  for (const key in el.attrs) {
    if (key.charCodeAt(0) !== 120 /* x */ || !key.startsWith("xmlns")) continue;
    if (key.length === 5 || key.charCodeAt(5) === 58 /* : */) {
      scope ??= Object.create(parent) as Record<string, string>;
      scope[key.length === 5 ? "" : key.slice(6)] = el.attrs[key] ?? "";
    }
  }
  return scope ?? parent;
}

/** The scope in force at `el` when it sits inside a larger tree, e.g. a stanza. */
export function scopeInTree(el: Element): Scope {
  const chain: Element[] = [];
  for (let e: Element | null = el; e; e = e.parent) chain.push(e);
  let scope = ROOT_SCOPE;
  for (let i = chain.length - 1; i >= 0; i--) scope = scopeOf(chain[i]!, scope);
  return scope;
}

/** Splits "p:local" into its prefix ("" when none) and local name. */
export function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(":");
  return colon < 0 ? ["", qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}
