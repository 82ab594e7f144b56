// The command line's short forms for tags and search operators (see `flexfed registry --help`):
//   TAG=VALUE  TAG!=VALUE  TAG~MASK  TAG>N  TAG>=N  TAG<N  TAG<=N  TAG=MIN..MAX (numeric)
// and the general form OPERATOR:TAG=ARG for any XEP-0347 operator. A tag is numeric when it is
// one of the predefined numeric tags or written with a leading "#".
import { RequestError } from "./errors.ts";
import { OPERATOR_NAMES, SearchOperator, type SearchOperatorInput } from "./operators.ts";
import { isNumericTag, Tag } from "./tags.ts";

const TERM = /^(#?)([^=!<>~\s]+)(!=|>=|<=|=|~|>|<)(.*)$/s;
const RANGE = /^([[(]?)(.*?)\.\.(.*?)([\])]?)$/s;

function parsed<T>(result: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } }, what: string): T {
  if (!result.success) throw new RequestError(`'${what}': ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

/** TAG=VALUE (or #TAG=VALUE for a numeric tag of another name) as a tag to register or claim. */
export function parseTagArg(arg: string): Tag {
  const m = TERM.exec(arg);
  if (!m || m[3] !== "=") throw new RequestError(`'${arg}' is not TAG=VALUE`);
  const numeric = m[1] === "#" || isNumericTag(m[2]!);
  return parsed(Tag.safeParse({ type: numeric ? "num" : "str", name: m[2], value: m[4] }), arg);
}

function rangeAttrs(arg: string, term: string) {
  const r = RANGE.exec(arg);
  if (!r) throw new RequestError(`'${term}': a range is MIN..MAX, optionally in [ ] (included) or ( ) (excluded) brackets`);
  return { min: r[2]!, max: r[3]!, minIncluded: r[1] === "(" ? "false" : "true", maxIncluded: r[4] === ")" ? "false" : "true" } as const;
}

/** One short-form search term, e.g. MAN=acme.example, SN~3948*, PMAX>=3000. */
export function parseSearchTerm(term: string): SearchOperator {
  const m = TERM.exec(term);
  if (!m) throw new RequestError(`'${term}' is not a search term (TAG=VALUE, TAG!=VALUE, TAG~MASK, TAG>N, TAG>=N, TAG<N, TAG<=N)`);
  const [, hash, name, sign, value] = m as unknown as [string, string, string, string, string];
  const numeric = hash === "#" || isNumericTag(name);
  const kind = numeric ? "num" : "str";
  let input: SearchOperatorInput;
  if (sign === "~") {
    if (numeric) throw new RequestError(`'${term}': masks apply to string tags only`);
    input = { op: "strMask", name, value, wildcard: "*" };
  } else if (numeric && sign === "=" && RANGE.test(value)) {
    input = { op: "numRange", name, ...rangeAttrs(value, term) };
  } else {
    const op = ({ "=": "Eq", "!=": "NEq", ">": "Gt", ">=": "GtEq", "<": "Lt", "<=": "LtEq" } as const)[sign as "="];
    input = { op: `${kind}${op}`, name, value };
  }
  return parsed(SearchOperator.safeParse(input), term);
}

/** The general form OPERATOR:TAG=ARG, e.g. strRange:SN=[100..200), strMask:SN=39*, numNEq:V=2. */
export function parseOperatorArg(arg: string): SearchOperator {
  const colon = arg.indexOf(":");
  const op = arg.slice(0, colon);
  if (colon < 0 || !(OPERATOR_NAMES as readonly string[]).includes(op)) {
    throw new RequestError(`'${arg}' is not OPERATOR:TAG=ARG with OPERATOR one of ${OPERATOR_NAMES.join(", ")}`);
  }
  const rest = arg.slice(colon + 1);
  const eq = rest.indexOf("=");
  if (eq < 1) throw new RequestError(`'${arg}' is not OPERATOR:TAG=ARG`);
  const name = rest.slice(0, eq);
  const value = rest.slice(eq + 1);
  const input = op.endsWith("Range") ? { op, name, ...rangeAttrs(value, arg) }
    : op === "strMask" ? { op, name, value, wildcard: "*" }
    : { op, name, value };
  return parsed(SearchOperator.safeParse(input), arg);
}
