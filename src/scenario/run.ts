// The whole scenario in one process: the example sites' simulated devices, the three energy apps
// and the grid operator, through one simulated day twice: first without flexibility (the devices
// on their own, nobody instructs), then with the apps. The simulators' environment (sun, household
// load, state of charge, tank temperatures) runs on the scenario clock; XMPP, EFI and the apps run
// on the wall clock. What the day measured comes from the simulators themselves.
import { randomBytes } from "node:crypto";
import { createElement as x } from "ltx/lib/ltx.js";
import { APPS } from "../../energy-apps/index.ts";
import { encodeCongestion } from "../../energy-apps/demand-response/signal.ts";
import type { MonitorApp } from "../../energy-apps/monitor/index.ts";
import { hostApp, type HostedApp } from "../app/host.ts";
import { AppRuntime } from "../app/runtime.ts";
import { startDevice, type HostedDevice } from "../device/host.ts";
import { ScenarioClock, SimulatedWorld } from "../device/simulation.ts";
import { logger } from "../log/index.ts";
import { NS_POLICY } from "../provisioning/protocol.ts";
import { RegistryClient } from "../registry/index.ts";
import { accountOptions, componentOptions } from "../server/endpoints.ts";
import { addAccounts, type ServerInfo } from "../server/prosody.ts";
import type { Secrets } from "../server/secrets.ts";
import { PubsubClient, XmppConnection } from "../xmpp/index.ts";
import { openSites } from "../cli/site.ts";
import type { ScenarioConfig } from "./config.ts";
import { DayRecorder, type DayStats } from "./recorder.ts";
import type { AppCounts, ScenarioSummary } from "./summary.ts";

const log = logger("scenario");
const DAY_MS = 24 * 3_600_000;
/** How often the day is sampled, wall-clock ms. */
const SAMPLE_MS = 250;
/** How long the devices may take to be seen by the apps before a day starts, ms. */
const READY_MS = 60_000;

export interface Scenario {
  summary: ScenarioSummary;
  /** Stops what still runs: the flexible day's devices and the apps. */
  stop(): Promise<void>;
}

type Server = { info: ServerInfo; secrets: Secrets };

/** The owner lets the apps read and control what they need; existing identical policies are kept. */
async function grantApps(owner: XmppConnection, info: ServerInfo, cfg: ScenarioConfig, domainOf: (app: string) => string): Promise<void> {
  const provisioning = `provisioning.${info.domain}`;
  const list = await owner.iq(provisioning, "get", x("list", { xmlns: NS_POLICY }));
  const have = new Set((list?.getChildren("policy") ?? []).map((p) =>
    `${p.attrs.effect}|${p.getChild("subject")?.attrs.jid}|${p.attrs.actions}|${p.getChildren("tag").map((t) => `${t.attrs.name}=${t.attrs.value}`).join(",")}`));
  const wants: ["allow" | "deny", string, string, string, string][] = [
    ["allow", "balancer", "read control", "SITE", cfg.home.site],
    ["allow", "dr", "read control", "FEEDER", cfg.congestion.feeder],
    // The home with a CEM is the balancer's: the grid operator's app acts on the others.
    ["deny", "dr", "control", "SITE", cfg.home.site],
    ["allow", "monitor", "read", "FEEDER", cfg.congestion.feeder],
  ];
  for (const [effect, app, actions, tag, value] of wants) {
    const jid = `${app}.${domainOf(app)}`;
    if (have.has(`${effect}|${jid}|${actions}|${tag}=${value}`)) continue;
    await owner.iq(provisioning, "set", x("policy", { xmlns: NS_POLICY, effect, actions }, x("subject", { jid }), x("tag", { name: tag, value })));
  }
}

const at = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00Z`);

/** The scenario was stopped (Ctrl-C) before its summary; everything it started is stopped. */
export class ScenarioStopped extends Error {}

/**
 * Runs the scenario on `server`. With `grid`, the grid operator is a domain of its own federated
 * with the devices' one: its account publishes the congestion signals and its demand-response app
 * acts on the devices across the link, as the devices' owner allows.
 */
export async function runScenario(server: Server, files: readonly string[], cfg: ScenarioConfig, print: (line: string) => void, stopRequested?: Promise<void>, grid?: Server): Promise<Scenario> {
  const operatorSide = grid ?? server;
  const serverOf = (app: string) => (app === "dr" ? operatorSide : server);
  let cancelled = false;
  void stopRequested?.then(() => { cancelled = true; });
  const check = () => { if (cancelled) throw new ScenarioStopped("stopped"); };
  const speed = 1440 / cfg.dayMinutes;
  const dayStart = at(cfg.date, "00:00");
  const window = { from: at(cfg.date, cfg.congestion.from), to: at(cfg.date, cfg.congestion.to) };
  const keys = new Map<string, string>();
  let secrets = server.secrets;
  const connections: XmppConnection[] = [];
  const runtimes = new Map<string, AppRuntime>();
  let live: { devices: HostedDevice[]; site: { stop(): Promise<void> }; apps: HostedApp[] } | undefined;

  const stop = async () => {
    if (live) {
      for (const a of live.apps) await a.stop();
      await Promise.all(live.devices.map((d) => d.stop()));
      await live.site.stop();
      live = undefined;
    }
    for (const r of runtimes.values()) await r.stop();
    await Promise.all(connections.map((c) => c.stop()));
  };

  try {
    secrets = await addAccounts(server.info.dataDir, ["owner"]);
    const owner = await XmppConnection.client(accountOptions({ info: server.info, secrets }, "owner", `scenario-${process.pid}`));
    connections.push(owner);
    const operatorSecrets = await addAccounts(operatorSide.info.dataDir, ["operator"]);
    const operator = await XmppConnection.client(accountOptions({ info: operatorSide.info, secrets: operatorSecrets }, "operator", `scenario-${process.pid}`));
    connections.push(operator);
    if (operatorSide === server) secrets = operatorSecrets;
    await grantApps(owner, server.info, cfg, (app) => serverOf(app).info.domain);
    const configs = { balancer: { site: cfg.home.site, importLimitW: cfg.home.importLimitW, exportLimitW: cfg.home.exportLimitW }, dr: { feeders: [cfg.congestion.feeder] }, monitor: {} };
    for (const name of Object.keys(APPS)) {
      const conn = await XmppConnection.component(componentOptions(serverOf(name), name));
      connections.push(conn);
      const runtime = new AppRuntime({ conn, search: APPS[name]!(configs[name as keyof typeof configs]).search, domain: server.info.domain });
      await runtime.start();
      runtimes.set(name, runtime);
    }

    const day = async (flexible: boolean): Promise<{ stats: DayStats; apps: HostedApp[] }> => {
      const clock = new ScenarioClock(dayStart, speed);
      const world = new SimulatedWorld(clock.now);
      const site = await openSites(files, world);
      const devices: HostedDevice[] = [];
      const hosted: HostedApp[] = [];
      try {
        secrets = await addAccounts(server.info.dataDir, site.devices.map((d) => d.config.resourceId));
        for (const d of site.devices) {
          // The same secret KEY in both days: the thing registers again with the tags it was claimed by.
          if (d.config.tags.KEY === undefined) d.config.tags.KEY = keys.get(d.config.resourceId) ?? randomBytes(9).toString("base64url");
          keys.set(d.config.resourceId, String(d.config.tags.KEY));
        }
        devices.push(...await Promise.all(site.devices.map((d) => startDevice({ info: server.info, secrets }, d))));
        const registry = new RegistryClient(owner, `registry.${server.info.domain}`);
        for (const h of devices) if (!h.runtime.claimed) await registry.claim(h.runtime.tags);
        if (!flexible) {
          print(`site: ${files.join(", ")}, claimed by owner@${server.info.domain}`);
          for (const d of site.devices) print(`  ${`${d.config.resourceId}@${server.info.domain}`.padEnd(28)} ${d.family.type.padEnd(16)} ${d.simulated ?? ""}`);
        }
        // Every device seen by the apps (presence and control space) before the day runs.
        const monitorView = runtimes.get("monitor")!;
        const until = Date.now() + READY_MS;
        const ready = () => site.devices.every((d) => {
          const seen = monitorView.model.devices.get(d.config.resourceId);
          return seen?.presence === "online" && seen.items.some((m) => m.kind.endsWith("Registration"));
        });
        while (!ready() && Date.now() < until && !cancelled) await new Promise((r) => setTimeout(r, 200));
        check();
        if (!ready()) log.warn("not every device was seen by the apps in time; the day starts anyway");

        const apps = flexible ? Object.keys(APPS).map((name) => hostApp(APPS[name]!(configs[name as keyof typeof configs]), runtimes.get(name)!, { tickMs: 1_000 })) : [];
        hosted.push(...apps);
        // The apps' first plans are carried out before the day runs (a second can be an hour of it).
        const settled = () => [...runtimes.values()].every((r) => r.tracker.all().every((t) => t.state !== "SENT" && t.state !== "ACCEPTED"));
        for (const until = Date.now() + 5_000; flexible && Date.now() < until && !cancelled;) {
          await Promise.all(apps.map((a) => a.idle()));
          await new Promise((r) => setTimeout(r, 500));
          if (settled()) break;
        }
        clock.begin();
        const wallStart = Date.now();
        const wall = (t: number) => new Date(wallStart + (t - dayStart) / speed).toISOString();
        const signal = { id: `c-${randomBytes(3).toString("hex")}`, feeder: cfg.congestion.feeder, limit: cfg.congestion.limitW, start: wall(window.from), end: wall(window.to) };
        await new PubsubClient(operator, server.info.pubsub).publish(`grid/${signal.feeder}`, encodeCongestion(signal), signal.id)
          .catch((err: Error) => log.warn("congestion signal not published", { error: err.message }));
        print(`scenario: ${flexible ? "with" : "without"} flexibility: ${cfg.date} in ${cfg.dayMinutes} min (x${Math.round(speed)}); congestion on ${signal.feeder} ${cfg.congestion.from}-${cfg.congestion.to} under ${cfg.congestion.limitW} W`);

        const pv = new Set(site.devices.filter((d) => d.family.type === "sunspec-pv").map((d) => d.config.resourceId));
        const recorder = new DayRecorder({ ...window, limitW: cfg.congestion.limitW });
        let hour = -1;
        for (let t = clock.now(); t < dayStart + DAY_MS; t = clock.now()) {
          const sites: Record<string, { netW: number; pvW: number }> = {};
          for (const [name, sims] of world.sites) {
            let pvW = 0;
            for (const [rid, s] of sims) if (pv.has(rid)) pvW -= s.powerW?.() ?? 0;
            sites[name] = { netW: world.netW(name), pvW };
          }
          recorder.add(t, sites);
          const h = Math.floor((t - dayStart) / 3_600_000);
          if (h % 6 === 0 && h !== hour) print(`scenario: ${String(h).padStart(2, "0")}:00  ${cfg.home.site} ${Math.round(sites[cfg.home.site]?.netW ?? 0)} W at the connection`);
          hour = h;
          await new Promise((r) => setTimeout(r, SAMPLE_MS));
          check();
        }
        if (!flexible) {
          await Promise.all(devices.map((d) => d.stop()));
          await site.stop();
        } else {
          live = { devices, site, apps };
        }
        return { stats: recorder.stats, apps };
      } catch (err) {
        for (const a of hosted) await a.stop();
        await Promise.all(devices.map((d) => d.stop()));
        await site.stop();
        throw err;
      }
    };

    const without = await day(false);
    const withFlex = await day(true);
    const counts = (name: string): AppCounts => {
      const all = runtimes.get(name)!.tracker.all();
      return {
        sent: all.length,
        accepted: all.filter((t) => t.history.some((h) => h.state === "ACCEPTED")).length,
        rejected: all.filter((t) => t.state === "REJECTED").length,
        failed: all.filter((t) => t.state === "FAILED" || t.state === "TIMEOUT").length,
      };
    };
    const monitorApp = withFlex.apps.find((a) => a.app.name === "monitor")!.app as MonitorApp;
    return {
      summary: {
        home: cfg.home.site, congestion: { ...cfg.congestion },
        without: without.stats, with: withFlex.stats,
        apps: { balancer: counts("balancer"), dr: counts("dr") },
        alarmsRaised: monitorApp.raised,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
