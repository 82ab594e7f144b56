/** Reconnect delays: exponential growth, capped, with jitter so a fleet does not reconnect in step. */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Growth factor per failed attempt. */
  factor: number;
  /** Fraction of the delay that is random, 0..1 ("equal jitter" at 0.5). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** The delay before reconnect attempt `attempt` (0 for the first retry after a drop). */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * opts.factor ** Math.max(0, attempt));
  return Math.round(ceiling * (1 - opts.jitter * random()));
}
