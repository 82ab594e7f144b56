// The MQTT comparison's broker: a Mosquitto of the bench's own on a free loopback port, with a
// config in a temp dir (anonymous, no persistence, queues large enough not to drop under a burst).
// Stopped by its PID.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../src/server/ports.ts";
import { onInterrupt } from "./proc.ts";
import { sleep } from "./stats.ts";

export interface Broker { url: string; pid: number | undefined; stop(): Promise<void> }

const BINARIES = ["/usr/sbin/mosquitto", "mosquitto"];

/** The mosquitto binary, or undefined (with how to install it printed) when missing. */
export function findMosquitto(): string | undefined {
  const found = BINARIES.find((b) => spawnSync(b, ["-h"], { stdio: "ignore" }).error === undefined);
  if (!found) console.log("mosquitto is not installed: the MQTT rows are not measured (apt-get install -y mosquitto)");
  return found;
}

export async function startMosquitto(binary: string): Promise<Broker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flexfed-bench-mqtt-"));
  const port = await freePort("127.0.0.1");
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(conf, [
    `listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false",
    "max_queued_messages 1000000", "max_inflight_messages 0", "log_dest stderr", "log_type error", "",
  ].join("\n"));
  const child: ChildProcess = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  const stop = async () => {
    forget();
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const forget = onInterrupt(stop);
  for (const until = Date.now() + 10_000; ; await sleep(50)) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`mosquitto exited with code ${child.exitCode} at start`);
    }
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`mosquitto not listening on 127.0.0.1:${port} after 10 s`);
    }
  }
  return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid, stop };
}
