// `flexfed up` (what `npm start` runs) brings the smoke scenario up and down cleanly, as a user
// would run it: a separate process, its own data dir, and nothing left running afterwards.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { S2S_PORT } from "../../src/server/federation.ts";
import { freePort } from "../../src/server/ports.ts";
import { SERVER_NAMES } from "../../src/server/prosody.ts";
import { TEST_SERVER } from "./fixtures.ts";
import { freeLoopbackAddresses } from "./harness.ts";

const BIN = path.resolve("bin/flexfed.mjs");
/** `flexfed up` on the server of this test project (a federation always runs Prosody). */
const UP = ["up", "--server", TEST_SERVER];
const SERVER_PID = new RegExp(`${SERVER_NAMES[TEST_SERVER]} \\(pid (\\d+)\\)`);

function runCli(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split("\n")) if (line) onLine?.(line, child);
  });
  child.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
  return new Promise<{ code: number | null; out: string }>((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

/** A zombie (exited, not yet reaped by its re-parented init) counts as gone. */
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"));

describe("flexfed up", () => {
  const portArgs = async () => ["--c2s-port", String(await freePort()), "--s2s-port", String(await freePort()), "--component-port", String(await freePort())];
  // Ports fixed per data dir for the commands that follow `up` (they read them from server.json).
  let fixedPorts: string[] = [];
  const portsFor = (_dataDir: string) => fixedPorts;
  beforeAll(async () => { fixedPorts = await portArgs(); });

  it(`starts ${SERVER_NAMES[TEST_SERVER]} and the smoke scenario, prints what runs where, and stops everything`, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-up-"));
    try {
      const { code, out } = await runCli([...UP, "--data-dir", dataDir, ...(await portArgs()), "--smoke-count", "2"]);
      expect(out).toMatch(new RegExp(`${SERVER_PID.source} serves localhost`));
      expect(out).toMatch(/clients \(STARTTLS \+ SCRAM\)\s+xmpp:\/\/127\.0\.0\.1:\d+/);
      expect(out).toMatch(/app: efi\/smoke-device item status = "heartbeat 2"; IQ to smoke-device@localhost\/smoke answered/);
      expect(out).toContain("flexfed: stopped.");
      expect(code).toBe(0);
      const pid = Number(SERVER_PID.exec(out)![1]);
      expect(alive(pid)).toBe(false);
      expect((await stat(path.join(dataDir, "secrets.json"))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("stops everything on SIGINT, as Ctrl-C does", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-up-"));
    try {
      let signalled = false;
      const { code, out } = await runCli([...UP, "--data-dir", dataDir, ...(await portArgs())], (line, child) => {
        if (!signalled && line.startsWith("app: ")) { signalled = true; child.kill("SIGINT"); }
      });
      expect(signalled).toBe(true);
      expect(out).toContain("flexfed: stopped.");
      expect(code).toBe(0);
      expect(alive(Number(SERVER_PID.exec(out)![1]))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("serves registry and provisioning, and takes the owner's policies from `flexfed policy`", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-up-"));
    let up: ReturnType<typeof spawn> | undefined;
    try {
      let homeReady: () => void = () => undefined;
      const home = new Promise<void>((resolve) => (homeReady = resolve));
      const ready = new Promise<void>((resolve) => {
        void runCli([...UP, "--data-dir", dataDir, ...portsFor(dataDir)], (line, child) => {
          up = child;
          if (line.startsWith("services: ")) resolve();
          if (line.startsWith("site: ")) homeReady();
        });
      });
      await ready;
      const policy = (...args: string[]) => runCli(["policy", ...args, "--data-dir", dataDir]);
      const allow = await policy("allow", "read", "--to", "app.localhost", "--tag", "SITE=home-1");
      // The scenario's own policies (letting the apps in) may come first: take the number given.
      const id = /^policy (\d+): allow\s+read\s+app\.localhost\s+->\s+SITE=home-1/m.exec(allow.out)?.[1];
      expect(id, allow.out).toBeDefined();
      expect(allow.code).toBe(0);
      const line = new RegExp(`^\\s*${id}\\s+allow\\s+read\\s+app\\.localhost\\s+->\\s+SITE=home-1`, "m");
      expect((await policy("list")).out).toMatch(line);
      const unknown = await policy("revoke", "99");
      expect(unknown.code).toBe(1);
      expect(unknown.out).toContain("item-not-found: you have no policy 99");
      expect((await policy("revoke", id!)).out).toContain(`policy ${id} revoked`);
      expect((await policy("list")).out).not.toMatch(line);
      // The simulated home's devices registered and the owner claimed them.
      await home;
      const search = await runCli(["registry", "search", "SITE=home-1", "--data-dir", dataDir]);
      for (const d of ["p1-meter-1", "battery-1", "pv-roof-1"]) expect(search.out).toContain(`${d}@localhost`);
      expect(search.out).toMatch(/EFI=storage/);
      // The feeder's homes too: FEEDER=f-12 finds its batteries and the home's.
      const feeder = await runCli(["registry", "search", "FEEDER=f-12", "EFI=storage", "--data-dir", dataDir]);
      for (const d of ["battery-1", "home-2-battery", "home-3-battery", "home-4-battery"]) expect(feeder.out).toContain(`${d}@localhost`);
      // The owner watches its home: every device, its category, presence and control space.
      const watch = await runCli(["watch", "--once", "--site", "home-1", "--data-dir", dataDir]);
      expect(watch.code).toBe(0);
      expect(watch.out).toMatch(/^battery-1\s+storage\s+online\s+-?\d+\s+\d+\.\d %/m);
      expect(watch.out).toMatch(/^p1-meter-1\s+inflexible\s+online/m);
      const typo = await policy("allow", "read", "--to", "app.localhost");
      expect(typo.code).toBe(2);
      expect(typo.out).toContain("give either --device JID or one or more --tag NAME=VALUE");
    } finally {
      up?.kill("SIGINT");
      await new Promise((r) => up?.once("exit", r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("runs the simulated day without and with the apps and prints the summary (npm start's scenario)", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-up-"));
    try {
      const { code, out } = await runCli([...UP, "--data-dir", dataDir, ...(await portArgs()), "--day-minutes", "0.5", "--once"]);
      expect(out).toContain("scenario: without flexibility: 2026-06-21 in 0.5 min (x2880)");
      expect(out).toContain("scenario: with flexibility");
      expect(out).toContain("flexfed: stopped.");
      expect(code).toBe(0);
      const row = (name: string) => {
        const m = new RegExp(`${name}\\s+(-?[\\d.]+) kW\\s+(-?[\\d.]+) kW`).exec(out);
        if (!m) throw new Error(`no '${name}' row in:\n${out}`);
        return { without: Number(m[1]), with: Number(m[2]) };
      };
      // The apps hold the congestion limit (6 kW) the devices on their own break, and lower the home's peak.
      const congestion = row("feeder peak 17:00-21:00 \\(limit 6.0 kW\\)");
      expect(congestion.without).toBeGreaterThan(6);
      expect(congestion.with).toBeLessThan(congestion.without);
      expect(row("home-1 grid peak import").with).toBeLessThan(row("home-1 grid peak import").without);
      const balancer = /balancer\s+(\d+) instructions sent, (\d+) accepted/.exec(out)!;
      expect(Number(balancer[2])).toBeGreaterThan(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it("runs the scenario across two federated domains: the grid operator's demand-response app acts on the aggregator's devices", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-up-"));
    try {
      const addresses = await freeLoopbackAddresses(2, S2S_PORT);
      const { code, out } = await runCli(["up", "--federation", "--addresses", addresses.join(","), "--data-dir", dataDir, ...(await portArgs()), "--day-minutes", "0.5", "--once"]);
      expect(out).toMatch(new RegExp(`Prosody \\(pid \\d+\\) serves aggregator\\.test on ${addresses[0]!.replace(/\./g, "\\.")}`));
      expect(out).toMatch(/Prosody \(pid \d+\) serves grid\.test/);
      expect(out).toMatch(/federation \(s2s, TLS\)\s+127\.[\d.]+:5269/);
      expect(out).toContain("claimed by owner@aggregator.test");
      expect(out).toContain("flexfed: stopped.");
      expect(code).toBe(0);
      // dr.grid.test instructed the aggregator's batteries across the link, and was refused home-1 (its owner's CEM's).
      const dr = /dr\s+(\d+) instructions sent, (\d+) accepted, \d+ rejected, (\d+) failed/.exec(out);
      expect(dr, out).not.toBeNull();
      expect(Number(dr![2])).toBeGreaterThan(0);
      const congestion = new RegExp("feeder peak 17:00-21:00 \\(limit 6.0 kW\\)\\s+(-?[\\d.]+) kW\\s+(-?[\\d.]+) kW").exec(out)!;
      expect(Number(congestion[2])).toBeLessThan(Number(congestion[1]));
      for (const pid of [...out.matchAll(/Prosody \(pid (\d+)\)/g)].map((m) => Number(m[1]))) expect(alive(pid)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it("rejects a bad option with exit code 2 and the usage", async () => {
    const { code, out } = await runCli(["up", "--c2s-port", "70000"]);
    expect(code).toBe(2);
    expect(out).toContain("--c2s-port must be a port number 1-65535, got '70000'");
    const day = await runCli(["up", "--day-minutes", "0"]);
    expect(day.code).toBe(2);
    expect(day.out).toContain("scenario: --day-minutes: ");
  });
});
