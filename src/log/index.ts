// Structured, quiet-by-default logging: one JSON object per line on stderr.
// FLEXFED_LOG=debug|info|warn|error chooses the level (default warn).
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;

function threshold(): number {
  const wanted = process.env.FLEXFED_LOG as Level | undefined;
  return LEVELS[wanted && wanted in LEVELS ? wanted : "warn"];
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function logger(component: string): Logger {
  const min = threshold();
  const write = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, component, msg, ...fields }) + "\n");
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
