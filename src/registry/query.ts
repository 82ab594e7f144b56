// Compiles AND-ed XEP-0347 search operators into one SQL query: one join on the tags table per
// operator, each served by the (name, value, thing_id) indexes. The SQL text depends only on the
// operators' shape (kind and range flags), so statements are prepared once and cached.
import type { SearchOperator } from "./operators.ts";

export interface CompiledQuery {
  /** Cache key: equal for operator lists that differ only in values. */
  shape: string;
  /** `JOIN ...` clauses, to follow `FROM things th`. */
  joins: string;
  params: (string | number)[];
}

const COMPARE: Record<string, string> = { Eq: "=", NEq: "<>", Gt: ">", GtEq: ">=", Lt: "<", LtEq: "<=" };

/** strMask: the XEP's wildcard becomes GLOB's `*`; GLOB's own metacharacters are bracketed. */
export function maskToGlob(value: string, wildcard: string): string {
  return value.split(wildcard).map((part) => part.replace(/[*?[]/g, (c) => `[${c}]`)).join("*");
}

function condition(op: SearchOperator, t: string): { sql: string; params: (string | number)[] } {
  const column = op.op.startsWith("str") ? `${t}.str_value` : `${t}.num_value`;
  switch (op.op) {
    case "strMask":
      return { sql: `${column} GLOB ?`, params: [maskToGlob(op.value, op.wildcard)] };
    case "strRange":
    case "numRange":
      return {
        sql: `${column} ${op.minIncluded ? ">=" : ">"} ? AND ${column} ${op.maxIncluded ? "<=" : "<"} ?`,
        params: [op.min, op.max],
      };
    case "strNRange":
    case "numNRange":
      // The flags say whether an endpoint belongs to the excluded range.
      return {
        sql: `(${column} ${op.minIncluded ? "<" : "<="} ? OR ${column} ${op.maxIncluded ? ">" : ">="} ?)`,
        params: [op.min, op.max],
      };
    default:
      return { sql: `${column} ${COMPARE[op.op.slice(3)]} ?`, params: [op.value] };
  }
}

export function compile(operators: readonly SearchOperator[]): CompiledQuery {
  const joins: string[] = [];
  const params: (string | number)[] = [];
  operators.forEach((op, i) => {
    const t = `t${i}`;
    const cond = condition(op, t);
    joins.push(`JOIN thing_tags ${t} ON ${t}.thing_id = th.id AND ${t}.name = ? AND ${cond.sql}`);
    params.push(op.name, ...cond.params);
  });
  const shape = operators.map((op) => ("minIncluded" in op ? `${op.op}:${op.minIncluded}:${op.maxIncluded}` : op.op)).join(",");
  return { shape, joins: joins.join("\n"), params };
}
