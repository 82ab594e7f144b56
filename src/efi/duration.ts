// xs:duration and xs:dateTime as flexfed uses them. Durations must have a fixed length, so years
// and months are accepted only as zero (Java's JAXB writes "P0Y0M0DT0H0M5.000S"); a negative
// duration means nothing in EFI and is refused.

const DURATION_RE = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/;
const DATETIME_RE = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$/;

const TRAILING_ZEROS_RE = /\.?0+$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Why `text` is not a duration flexfed accepts, or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return `'${text}' is not an ISO 8601 duration such as PT15M`;
  if (Number(m[1] ?? 0) !== 0 || Number(m[2] ?? 0) !== 0) return `'${text}' has years or months, which have no fixed length`;
  return undefined;
}

/** Milliseconds in an xs:duration ("PT1M30S" -> 90000). Throws a RangeError for an invalid one. */
export function parseDuration(text: string): number {
  const problem = durationProblem(text);
  if (problem) throw new RangeError(problem);
  const m = DURATION_RE.exec(text)!;
  // Fractional seconds are read digit-wise so "PT1.005S" is exactly 1005 ms.
  const frac = m[7] ?? "";
  const fracMs = frac ? Number(`${frac.slice(0, 3).padEnd(3, "0")}.${frac.slice(3)}0`) : 0;
  return Number(m[3] ?? 0) * DAY + Number(m[4] ?? 0) * HOUR + Number(m[5] ?? 0) * MINUTE + Number(m[6] ?? 0) * SECOND + fracMs;
}

/** The canonical xs:duration for a non-negative number of milliseconds (90000 -> "PT1M30S"). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format ${ms} ms as a duration`);
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  // Microsecond precision; trailing zeros and a bare point are dropped.
  const seconds = rest === 0 ? "" : `${(rest / SECOND).toFixed(6).replace(TRAILING_ZEROS_RE, "")}S`;
  const time = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds}`;
  if (!days && !time) return "PT0S";
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : ""}`;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why `text` is not an xs:dateTime flexfed accepts, or undefined. flexfed requires an explicit
 * offset (Z or +hh:mm): a local time without one names no instant.
 */
export function dateTimeProblem(text: string): string | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return `'${text}' is not a date-time with an offset such as 2025-06-01T12:00:00Z`;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const max = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (max === undefined || day < 1 || day > max) return `'${text}' is not a calendar date`;
  return undefined;
}

/** Epoch milliseconds of an xs:dateTime. Throws a RangeError for an invalid one. */
export function parseDateTime(text: string): number {
  const problem = dateTimeProblem(text);
  if (problem) throw new RangeError(problem);
  return Date.parse(text);
}

/** An xs:dateTime in UTC for epoch milliseconds. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString();
}
