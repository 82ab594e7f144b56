// Runs an EnergyApp module on an AppRuntime: plans after every change the runtime sees (coalesced)
// and on a steady tick, and carries out the actions: instructions (not repeated while the same
// intent holds), revokes, and items on the nodes the app publishes.
import { logger } from "../log/index.ts";
import type { AppRuntime } from "./runtime.ts";
import type { AppAction, EnergyApp, PlanContext } from "./types.ts";

const log = logger("app");

/** An instruction that ended like this is sent again when the app still asks for it, after a pause (a refusal rarely changes at once). */
const RETRYABLE = new Set(["REJECTED", "ABORTED", "FAILED", "TIMEOUT"]);
const RETRY_AFTER_MS = 10_000;

export interface HostedApp {
  readonly app: EnergyApp;
  readonly runtime: AppRuntime;
  /** Plans made so far. */
  readonly plans: number;
  /** Resolves when no plan is running or waiting. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface HostOptions {
  /** Changes within this window lead to one plan, ms (default 100). */
  coalesceMs?: number;
  /** A plan at least this often, for time-driven decisions (deadlines, signals that start), ms (default 5 s). */
  tickMs?: number;
  now?: () => Date;
}

export function hostApp(app: EnergyApp, runtime: AppRuntime, opts: HostOptions = {}): HostedApp {
  const now = opts.now ?? (() => new Date());
  let plans = 0, timer: NodeJS.Timeout | undefined, running: Promise<void> | undefined, again = false, stopped = false;

  const context = (): PlanContext => ({ now: now(), devices: runtime.model.view(), instructions: runtime.tracker.latest, nodes: runtime.nodes });

  async function act(a: AppAction): Promise<void> {
    switch (a.type) {
      case "instruct": {
        const latest = runtime.tracker.latest.get(a.rid);
        if (latest && latest.intent === a.intent && (!RETRYABLE.has(latest.state) || Date.now() - latest.history.at(-1)!.at < RETRY_AFTER_MS)) return;
        const t = await runtime.instruct(a.rid, a.intent, a.instruction);
        if (RETRYABLE.has(t.state)) log.info("instruction not carried out", { app: app.name, rid: a.rid, intent: a.intent, state: t.state, info: t.info });
        return;
      }
      case "revoke":
        return runtime.revoke(a.rid);
      case "publish":
        await runtime.pubsub.publish(a.node, a.payload, a.itemId);
        return;
      case "retract":
        return runtime.pubsub.retract(a.node, a.itemId);
    }
  }

  async function plan(): Promise<void> {
    plans++;
    let actions: AppAction[];
    try {
      actions = app.plan(context());
    } catch (err) {
      log.error("plan failed", { app: app.name, error: (err as Error).stack });
      return;
    }
    await Promise.all(actions.map((a) => act(a).catch((err: Error) => log.warn("action failed", { app: app.name, action: a.type, error: err.message }))));
  }

  /** One plan at a time; changes during a plan lead to one more afterwards. */
  function schedule(): void {
    if (stopped) return;
    if (running) { again = true; return; }
    timer ??= setTimeout(() => {
      timer = undefined;
      running = plan().finally(() => {
        running = undefined;
        if (again) { again = false; schedule(); }
      });
    }, opts.coalesceMs ?? 100);
  }

  const follow = () => {
    for (const node of app.follow?.(runtime.model.view()) ?? []) void runtime.followNode(node);
    schedule();
  };
  runtime.on("change", schedule);
  runtime.on("status", schedule);
  runtime.on("node", schedule);
  runtime.on("devices", follow);
  follow();
  const tick = setInterval(schedule, opts.tickMs ?? 5_000);

  return {
    app,
    runtime,
    get plans() { return plans; },
    async idle() {
      while (timer || running) await (running ?? new Promise((r) => setTimeout(r, opts.coalesceMs ?? 100)));
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearTimeout(timer);
      timer = undefined;
      runtime.off("change", schedule);
      runtime.off("status", schedule);
      runtime.off("node", schedule);
      runtime.off("devices", follow);
      await running;
    },
  };
}
