// Typed requests and responses written as XEP-0347 elements (the inverse of parse.ts).
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import type { SearchOperator } from "./operators.ts";
import type { NodeInfo } from "./parse.ts";
import type { Thing } from "./store.ts";
import { NS_DISCOVERY, type Tag } from "./tags.ts";

type Attrs = Record<string, string | number | boolean | undefined>;

/** Attributes as text, undefined ones left out. */
const defined = (attrs: Attrs): Record<string, string> =>
  Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));

const tagElement = (t: Tag) => x(t.type, { name: t.name, value: String(t.value) });

export const nodeAttrs = (n: NodeInfo): Attrs => ({ nodeId: n.nodeId, sourceId: n.sourceId, cacheType: n.cacheType });

/** <name xmlns='urn:xmpp:iot:discovery' attrs>tags</name>. */
export function discoveryElement(name: string, attrs: Attrs = {}, tags: readonly Tag[] = []): Element {
  return x(name, { xmlns: NS_DISCOVERY, ...defined(attrs) }, ...tags.map(tagElement));
}

export function searchElement(operators: readonly SearchOperator[], opts: { offset?: number; maxCount?: number } = {}): Element {
  const el = discoveryElement("search", { offset: opts.offset, maxCount: opts.maxCount });
  for (const { op, ...attrs } of operators) el.append(x(op, defined(attrs)));
  return el;
}

export function foundElement(things: readonly Thing[], more: boolean): Element {
  return x("found", { xmlns: NS_DISCOVERY, more: String(more) }, ...things.map((t) =>
    x("thing", defined({ owner: t.owner ?? "", jid: t.jid, ...nodeAttrs(t) }), ...t.tags.map(tagElement))));
}

/** <claimed/>; to a thing, `public` is always spelled out, since the XEP's text and schema disagree on its default. */
export function claimedElement(jid: string, node: NodeInfo, isPublic?: boolean): Element {
  return discoveryElement("claimed", { jid, ...nodeAttrs(node), public: isPublic });
}
