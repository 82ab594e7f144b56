// The XSD simple types: each knows its zod schema and its lexical form. `read` only checks the
// lexical form (returning undefined when it is wrong); value rules live in the zod schema, so
// decoding and encoding validate the same way.
import { z } from "zod";
import { dateTimeProblem, durationProblem } from "../duration.ts";

export interface Scalar<T> {
  /** The XSD type, named in error messages. */
  readonly xsd: string;
  readonly schema: z.ZodType<T>;
  read(text: string): T | undefined;
  write(value: T): string;
}

const INT_RE = /^[+-]?\d+$/;
// xs:double without INF and NaN: EFI values are finite.
const DOUBLE_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const IDENTIFIER_RE = /^[a-zA-Z0-9\-_:]{2,64}$/;
// Characters XML 1.0 can carry; anything else could not be encoded.
const XML_CHARS_RE = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

const identity = <T extends string>(s: string) => s as T;

/** Non-string types collapse whitespace, so surrounding blanks are dropped before the check. */
function numeric(xsd: string, re: RegExp, schema: z.ZodType<number>, write: (n: number) => string): Scalar<number> {
  return {
    xsd,
    schema,
    read: (text) => {
      const t = text.trim();
      return re.test(t) ? Number(t) : undefined;
    },
    write,
  };
}

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

export const int = numeric("xs:int", INT_RE, z.number().int().min(-2147483648).max(2147483647), String);
export const double = numeric("xs:double", DOUBLE_RE, z.number(), writeDouble);
export const decimal = numeric("xs:decimal", DECIMAL_RE, z.number(), writeDecimal);
/** A running-mode factor: 0 is the lower bound of a continuous mode, 1 the upper. */
export const factor = numeric("xs:double in [0,1]", DOUBLE_RE, z.number().min(0).max(1), writeDouble);

export const boolean: Scalar<boolean> = {
  xsd: "xs:boolean",
  schema: z.boolean(),
  read: (text) => {
    const t = text.trim();
    return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : undefined;
  },
  write: String,
};

function stringType<T extends string>(xsd: string, schema: z.ZodType<T>): Scalar<T> {
  return { xsd, schema, read: identity<T>, write: identity<T> };
}

export const string = stringType("xs:string", z.string().regex(XML_CHARS_RE, "contains a character XML cannot carry"));
export const identifier = stringType(
  "efi:Identifier",
  z.string().regex(IDENTIFIER_RE, "must be 2 to 64 of a-z A-Z 0-9 - _ :"),
);

function checked(xsd: string, problem: (s: string) => string | undefined): Scalar<string> {
  const schema = z.string().superRefine((s, ctx) => {
    const p = problem(s);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });
  return { xsd, schema, read: (text) => text.trim(), write: identity };
}

/** ISO 8601 duration text, kept as written; parseDuration turns it into milliseconds. */
export const duration = checked("xs:duration", durationProblem);
/** Date-time text with an offset, kept as written; parseDateTime turns it into epoch ms. */
export const dateTime = checked("xs:dateTime", dateTimeProblem);

export function enumeration<const V extends readonly [string, ...string[]]>(xsd: string, values: V): Scalar<V[number]> {
  return stringType(xsd, z.enum(values));
}
