// The XSD simple types. Each knows its lexical form (`read` returns undefined for a wrong one,
// `write` the canonical form) and its value rule, written once as `problem` and used both by the
// zod schema and by `valid`, the allocation-free check the encoder runs inline.
import { z } from "zod";
import { dateTimeProblem, durationProblem } from "../duration.ts";

export interface Scalar<T> {
  /** The XSD type, named in error messages. */
  readonly xsd: string;
  readonly schema: z.ZodType<T>;
  read(text: string): T | undefined;
  write(value: T): string;
  /** Whether the zod schema accepts `value`, without building issues. */
  valid(value: unknown): boolean;
}

const INT_RE = /^[+-]?\d+$/;
// xs:double without INF and NaN: EFI values are finite.
const DOUBLE_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const IDENTIFIER_RE = /^[a-zA-Z0-9\-_:]{2,64}$/;
// A character XML 1.0 cannot carry; surrogates are checked as pairs only when one shows up.
const NON_XML_CHAR_RE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;
const NON_XML_CHAR_U_RE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

type Kind = "number" | "string" | "boolean";
const BASES = { number: () => z.number(), string: () => z.string(), boolean: () => z.boolean() };

function scalar<T>(
  xsd: string,
  kind: Kind,
  problem: (value: T) => string | undefined,
  read: (text: string) => T | undefined,
  write: (value: T) => string,
): Scalar<T> {
  const schema = (BASES[kind]() as unknown as z.ZodType<T>).superRefine((v, ctx) => {
    const p = problem(v);
    if (p !== undefined) ctx.addIssue({ code: "custom", message: p });
  });
  // z.number() refuses NaN and the infinities, so `valid` does too.
  const typed = kind === "number" ? (v: unknown) => typeof v === "number" && Number.isFinite(v) : (v: unknown) => typeof v === kind;
  return { xsd, schema, read, write, valid: (v) => typed(v) && problem(v as T) === undefined };
}

const none = () => undefined;

/** Non-string types collapse whitespace, so surrounding blanks are dropped before the check. */
const readNumber = (re: RegExp) => (text: string) => {
  const t = text.trim();
  return re.test(t) ? Number(t) : undefined;
};

const writeDouble = (n: number) => (Object.is(n, -0) ? "-0" : String(n));

/** xs:decimal has no exponent: 1e-7 is written 0.0000001. */
function writeDecimal(n: number): string {
  const s = writeDouble(n);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const sign = s[0] === "-" ? "-" : "";
  const mantissa = s.slice(sign.length, e);
  const exp = Number(s.slice(e + 1));
  const point = mantissa.indexOf(".");
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  const intLen = (point < 0 ? mantissa.length : point) + exp;
  if (intLen <= 0) return `${sign}0.${"0".repeat(-intLen)}${digits}`;
  if (intLen >= digits.length) return sign + digits + "0".repeat(intLen - digits.length);
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

export const int = scalar<number>(
  "xs:int",
  "number",
  (n) => (Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? undefined : `${n} is not a 32-bit integer`),
  readNumber(INT_RE),
  String,
);
export const double = scalar<number>("xs:double", "number", none, readNumber(DOUBLE_RE), writeDouble);
/** Digits of a written decimal, a lone leading "0." not counted. */
function decimalDigits(text: string): number {
  const unsigned = text[0] === "-" ? text.slice(1) : text;
  const point = unsigned.indexOf(".");
  const int = point < 0 ? unsigned : unsigned.slice(0, point);
  return (int === "0" ? 0 : int.length) + (point < 0 ? 0 : unsigned.length - point - 1);
}

// XSD leaves decimal precision to the processor; libxml2 reads at most 24 digits, so no more are written.
export const decimal = scalar<number>(
  "xs:decimal",
  "number",
  (n) => (decimalDigits(writeDecimal(n)) > 24 ? `${n} needs more than the 24 digits XML validators read in an xs:decimal` : undefined),
  readNumber(DECIMAL_RE),
  writeDecimal,
);
/** A running-mode factor: 0 is the lower bound of a continuous mode, 1 the upper. */
export const factor = scalar<number>(
  "xs:double in [0,1]",
  "number",
  (n) => (n >= 0 && n <= 1 ? undefined : `${n} is outside [0, 1]`),
  readNumber(DOUBLE_RE),
  writeDouble,
);

export const boolean = scalar<boolean>(
  "xs:boolean",
  "boolean",
  none,
  (text) => {
    const t = text.trim();
    return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : undefined;
  },
  String,
);

const same = <T>(s: T) => s;

export const string = scalar<string>(
  "xs:string",
  "string",
  (s) => (NON_XML_CHAR_RE.test(s) && NON_XML_CHAR_U_RE.test(s) ? "contains a character XML cannot carry" : undefined),
  same,
  same,
);
/** efi:Identifier; like every xs:string type its whitespace is kept, so blanks make it invalid. */
export const identifier = scalar<string>(
  "efi:Identifier",
  "string",
  (s) => (IDENTIFIER_RE.test(s) ? undefined : `'${s}' is not an Identifier: 2 to 64 of a-z A-Z 0-9 - _ :`),
  same,
  same,
);
/** ISO 8601 duration text, kept as written; parseDuration turns it into milliseconds. */
export const duration = scalar<string>("xs:duration", "string", durationProblem, (t) => t.trim(), same);
/** Date-time text with an offset, kept as written; parseDateTime turns it into epoch ms. */
export const dateTime = scalar<string>("xs:dateTime", "string", dateTimeProblem, (t) => t.trim(), same);

export function enumeration<const V extends readonly [string, ...string[]]>(xsd: string, values: V): Scalar<V[number]> {
  const members = new Set<string>(values);
  return {
    xsd,
    schema: z.enum(values) as unknown as z.ZodType<V[number]>,
    read: (text) => text as V[number],
    write: same,
    valid: (v) => typeof v === "string" && members.has(v),
  };
}
