// `flexfed device check|run --config FILE` as a user runs it: a separate process, a JSON file, a
// battery simulator on loopback, a server with the registry and provisioning.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatterySimulator } from "../../drivers/sunspec-battery/index.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { parseQr } from "../../src/registry/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const BIN = path.resolve("bin/flexfed.mjs");

function cli(args: string[], onLine?: (line: string, kill: () => void) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const take = (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split("\n")) if (line) onLine?.(line, () => child.kill("SIGINT"));
  };
  child.stdout.on("data", take);
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise<{ code: number | null; out: string }>((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

describe("flexfed device", () => {
  let dir: string, server: OwnServer, services: ThingServices, sim: BatterySimulator, port: number;
  const config = (driver: object) => ({ resourceId: "battery-cli", tags: { SITE: "cli", KEY: "k-cli" }, driver: { type: "sunspec-battery", ...driver } });
  const file = async (name: string, content: unknown) => {
    const f = path.join(dir, name);
    await writeFile(f, JSON.stringify(content));
    return f;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "flexfed-device-cli-"));
    server = await startOwnServer({ components: ["registry", "provisioning"], accounts: ["owner"] });
    services = await startThingServices(server);
    sim = new BatterySimulator({ manufacturer: "Simulated", serialNumber: "SIM-42" });
    ({ port } = await sim.listen());
  });
  afterAll(async () => {
    await sim?.stop();
    await services?.stop();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("checks a configuration and names each field at fault", async () => {
    const good = await cli(["device", "check", "--config", await file("good.json", config({ transport: { type: "tcp", host: "127.0.0.1", port } }))]);
    expect(good.out).toContain("battery-cli: sunspec-battery, ok");
    expect(good.code).toBe(0);
    const badFile = await file("bad.json", config({ transport: { type: "tcp", host: "127.0.0.1", port: 0 }, pollMs: "fast" }));
    const bad = await cli(["device", "check", "--config", badFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${badFile}: driver.transport.port: must be 1..65535`);
    expect(bad.out).toMatch(/driver\.pollMs: .*number/);
    const usage = await cli(["device", "start"]);
    expect(usage.code).toBe(2);
  });

  it("runs the device: it logs in, registers, prints its claim string, and stops on Ctrl-C", async () => {
    const f = await file("run.json", config({ transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 500 }));
    let claim = "";
    const { code, out } = await cli(["device", "run", "--config", f, "--data-dir", server.info.dataDir], (line, stop) => {
      const m = /claim with: flexfed claim '(.*)'$/.exec(line);
      if (m) { claim = m[1]!; stop(); }
    });
    expect(out).toMatch(new RegExp(`battery-cli@${server.info.domain}\\s+sunspec-battery`));
    expect(code, out).toBe(0);
    const tags = Object.fromEntries(parseQr(claim).map((t) => [t.name, t.value]));
    expect(tags).toMatchObject({ RID: "battery-cli", EFI: "storage", SITE: "cli", KEY: "k-cli", MAN: "Simulated", SN: "SIM-42", CLASS: "Stationary Battery" });
    expect(services.things.get(`battery-cli@${server.info.domain}`)).toMatchObject({ owner: null });
  });
});
