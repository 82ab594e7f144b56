// Maps a zod path (JSON keys and indexes) onto the XML path of the same spot, using the structure
// description: attributes become "@name", wrapped lists "wrapper/item[i]", choices name the element.
import type { z } from "zod";
import type { Field, FieldXml, NodeShape } from "../model/dsl.ts";
import type { EfiIssue } from "../errors.ts";

export function xmlPath(root: string, shape: NodeShape, value: unknown, path: readonly PropertyKey[]): string {
  let out = root;
  let node: NodeShape | undefined = shape;
  let v = value as Record<PropertyKey, unknown> | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const field: Field | undefined = node?.fields.find((f) => f.key === seg);
    v = v?.[seg] as Record<PropertyKey, unknown> | undefined;
    node = undefined;
    if (!field) {
      out += `/${String(seg)}`;
      continue;
    }
    const x: FieldXml = field.xml;
    if (x.kind === "attr" || x.kind === "tag") {
      out += `/@${String(seg)}`;
    } else if (x.kind === "elem") {
      out += `/${field.key}`;
      node = "node" in x.item ? x.item.node : undefined;
    } else {
      const index = path[i + 1];
      const wrapper = x.kind === "choice" || x.itemName !== undefined;
      if (typeof index !== "number") {
        out += `/${field.key}`;
        continue;
      }
      i++;
      v = v?.[index] as Record<PropertyKey, unknown> | undefined;
      if (x.kind === "choice") {
        const variant = x.variants.find((alt) => v && alt.tag === v[alt.node.tag!.key]);
        out += `/${field.key}/${variant?.element ?? "*"}[${index}]`;
        node = variant?.node;
      } else {
        out += `${wrapper ? `/${field.key}` : ""}/${x.itemName ?? field.key}[${index}]`;
        node = "node" in x.item ? x.item.node : undefined;
      }
    }
  }
  return out;
}

/** zod issues as EFI issues with XML paths. */
export function toIssues(root: string, shape: NodeShape, value: unknown, issues: readonly z.core.$ZodIssue[]): EfiIssue[] {
  return issues.map((issue) => ({
    path: xmlPath(root, shape, value, issue.path),
    reason: issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message,
  }));
}
