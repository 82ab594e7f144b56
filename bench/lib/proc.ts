// The bench's processes: what is measured runs in a child of its own (its own event loop and
// memory), forked from bench/run.ts with `--role <name>`, talking over Node's IPC channel.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), "../run.ts");

/** Forks bench/run.ts as `role` (see ROLES in run.ts); it inherits the CA trust of this process. */
export function forkRole(role: string, args: readonly string[] = [], execArgv: readonly string[] = []): ChildProcess {
  // FLEXFED_BENCH_PROF=<dir>: each measured process writes a CPU profile there (node --cpu-prof).
  const prof = process.env.FLEXFED_BENCH_PROF;
  // A folder per role: Node names each thread's profile itself (tsx's loader thread writes one too).
  const profile = prof ? ["--cpu-prof", `--cpu-prof-dir=${path.join(prof, role.replace(":", "-"))}`] : [];
  return fork(RUNNER, ["--role", role, ...args], { execArgv: [...process.execArgv, ...execArgv, ...profile] });
}

/** The child's next IPC message of `type`; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== type) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${child.spawnargs.slice(-3).join(" ")}: exited (${signal ?? `code ${code}`}) before '${type}'`));
    };
    const cleanup = () => { child.off("message", onMessage); child.off("exit", onExit); };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Sends `message` to the child and waits for its answer of type `answer` (default: the same type). */
export function ask<T>(child: ChildProcess, message: { type: string } & Record<string, unknown>, answer = message.type): Promise<T> {
  const reply = nextMessage<T>(child, answer);
  child.send(message);
  return reply;
}

/** SIGTERM to the child by its PID, SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** In a child: ends with the parent (nobody to report to), and answers the parent's requests. */
export function serve(handlers: Record<string, (m: Record<string, unknown>) => unknown>): void {
  // A normal exit, so that a CPU profile (FLEXFED_BENCH_PROF) is written.
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
  process.on("message", (m: { type?: string } & Record<string, unknown>) => {
    const handler = m?.type ? handlers[m.type] : undefined;
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(m))
      .then((answer) => process.send!({ type: m.type, ...(answer as object) }))
      .catch((err: Error) => { console.error(`${m.type} failed: ${err.stack ?? err.message}`); process.exit(1); });
  });
}

/** A process's resident memory (bytes) and CPU time so far (s), from /proc (Linux); NaN elsewhere. */
export function procStats(pid: number | undefined): { rss: number; cpuS: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) * 1024, cpuS: (Number(stat[11]) + Number(stat[12])) / 100 };
  } catch {
    return { rss: NaN, cpuS: NaN };
  }
}

/** Memory after two GC passes (run the child with --expose-gc). */
export function memory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const cleanups = new Set<() => Promise<void>>();

/**
 * Registers what must be stopped if the bench is interrupted (Ctrl-C): the servers it started,
 * which run in process groups of their own and would outlive it. Returns the unregistering call.
 */
export function onInterrupt(stop: () => Promise<void>): () => void {
  cleanups.add(stop);
  return () => cleanups.delete(stop);
}

/** Runs every registered stop (each once, failures reported) and ends the process. */
export async function interrupted(signal: string): Promise<never> {
  console.error(`\n${signal}: stopping the bench's servers ...`);
  for (const stop of [...cleanups].reverse()) await stop().catch((err: Error) => console.error(err.message));
  process.exit(130);
}

