// Text -> ltx tree. ltx's own parser drops the text that follows a comment inside an element
// (`<a><!-- x -->5</a>` reads as empty), so comments are removed first; CDATA sections are kept
// as they are, since a "<!--" inside them is text.
import { parse, type Element } from "ltx/lib/ltx.js";
import { EfiDecodeError } from "../errors.ts";

const COMMENT_OR_CDATA_RE = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;
const dropComments = (m: string) => (m.charCodeAt(2) === 45 /* - */ ? "" : m);

export function parseXml(xml: string): Element {
  if (xml.includes("<!DOCTYPE")) throw new EfiDecodeError([{ path: "", reason: "a DOCTYPE is not allowed in an EFI message" }]);
  const text = xml.includes("<!--") ? xml.replace(COMMENT_OR_CDATA_RE, dropComments) : xml;
  let root: Element | null;
  try {
    root = parse(text);
  } catch (err) {
    throw new EfiDecodeError([{ path: "", reason: `not well-formed XML: ${(err as Error).message}` }]);
  }
  if (!root) throw new EfiDecodeError([{ path: "", reason: "no root element" }]);
  return root;
}
