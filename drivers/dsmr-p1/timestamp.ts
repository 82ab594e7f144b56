// P1 timestamps, YYMMDDhhmmssX: Dutch local time, X = S (summer, CEST, UTC+2) or W (winter, CET,
// UTC+1). The letter makes the repeated hour of the autumn clock change unambiguous.
const P1_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW])$/;
const HOUR = 3_600_000;

/** The instant a P1 timestamp names, or undefined when it is not one (wrong form or no such date). */
export function parseP1Timestamp(text: string): Date | undefined {
  const m = P1_TIME.exec(text);
  if (!m) return undefined;
  const [yy, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(2000 + yy, mo - 1, d, h, mi, s));
  // Date.UTC rolls over (Feb 30 becomes Mar 2): a field that changed was out of range.
  const same = local.getUTCMonth() === mo - 1 && local.getUTCDate() === d && local.getUTCHours() === h && local.getUTCMinutes() === mi && local.getUTCSeconds() === s;
  if (!same) return undefined;
  return new Date(local.getTime() - (m[7] === "S" ? 2 : 1) * HOUR);
}

/** Dutch local time as a P1 timestamp (what a meter in the Netherlands writes). */
export function formatP1Timestamp(time: Date): string {
  const summer = isEuropeanSummerTime(time);
  const local = new Date(time.getTime() + (summer ? 2 : 1) * HOUR);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    two(local.getUTCFullYear() % 100) + two(local.getUTCMonth() + 1) + two(local.getUTCDate()) +
    two(local.getUTCHours()) + two(local.getUTCMinutes()) + two(local.getUTCSeconds()) + (summer ? "S" : "W")
  );
}

/** EU rule: summer time from the last Sunday of March to the last Sunday of October, changing at 01:00 UTC. */
export function isEuropeanSummerTime(time: Date): boolean {
  const year = time.getUTCFullYear();
  const lastSundayAt1 = (month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0, 1));
    return last.getTime() - last.getUTCDay() * 24 * HOUR;
  };
  const t = time.getTime();
  return t >= lastSundayAt1(2) && t < lastSundayAt1(9);
}
