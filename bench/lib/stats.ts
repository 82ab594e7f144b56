// Figures of a benchmark: latency percentiles within a run, and the median of several runs with
// their min and max (the machines are shared: a figure is a ratio to a baseline of the same run).

export interface Latency { p50: number; p99: number; count: number }
export interface Spread { median: number; min: number; max: number; runs: number }

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** p50 and p99 of samples (ms). */
export function latency(samples: readonly number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  return { p50: quantile(sorted as unknown as number[], 0.5), p99: quantile(sorted as unknown as number[], 0.99), count: sorted.length };
}

/** Median, min and max of one figure over runs. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : ((sorted[mid - 1]! + sorted[mid]!) / 2);
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, runs: sorted.length };
}

/** Runs fn(0 .. count-1) with at most `concurrency` calls outstanding. */
export async function pool(count: number, concurrency: number, fn: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < count; k = next++) await fn(k);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export const seconds = (t0: number) => (performance.now() - t0) / 1000;
/** Wall-clock ms with sub-ms resolution, comparable between processes of one machine. */
export const wallMs = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
