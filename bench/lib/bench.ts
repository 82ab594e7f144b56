// What a benchmark module (bench/<name>.ts) exports.
export interface BenchOptions {
  /** --devices: sizes to run (the bench's defaults when empty). */
  devices: number[];
  /** --runs: runs per figure (median, min, max); at least 3. */
  runs: number;
}

export interface Bench {
  name: string;
  summary: string;
  run(opts: BenchOptions): Promise<void>;
  /** Child processes it forks through bench/run.ts --role <name>:<role>. */
  roles?: Record<string, (args: string[]) => Promise<void>>;
}
