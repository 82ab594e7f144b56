// What integration suites share: the running test server's coordinates, connection helpers, and
// servers of their own for suites that need exclusive components (one connection per component JID).
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { readServerInfo, startServer, type RunningServer, type ServerSpec } from "../../src/server/prosody.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";
import { TEST_SERVER } from "./fixtures.ts";

export const testServer = () => readServerInfo(inject("dataDir"));

/** Logs in to the shared server as one of the pre-created accounts, over STARTTLS with SCRAM. */
export const connectAccount = (username: string, resource = "test") =>
  XmppConnection.client(accountOptions(testServer(), username, resource));

/** Connects to the shared server as an external component by label, e.g. "app" -> app.<domain>. */
export const connectComponent = (label: string) => XmppConnection.component(componentOptions(testServer(), label));

export interface OwnServer extends RunningServer {
  account(username: string, resource?: string): Promise<XmppConnection>;
  component(label: string): Promise<XmppConnection>;
  /** Stops Prosody and removes the data dir. */
  dispose(): Promise<void>;
  /** Stops Prosody; `start()` brings it back on the same data dir and ports. */
  restart(opts?: { whileDown?: () => Promise<void> }): Promise<void>;
}

/**
 * A Prosody of the suite's own (temp dir, free ports), signed by the shared test CA so this
 * worker already trusts it. For suites that run components another suite also runs, or that
 * restart the server. Starting one takes about half a second.
 */
export async function startOwnServer(spec: Omit<ServerSpec, "dataDir" | "caDir">): Promise<OwnServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-own-"));
  const full = { server: TEST_SERVER, smacksHibernation: 5, ...spec, dataDir, caDir: path.dirname(testServer().info.caCert) };
  const server = await startServer(full);
  return Object.assign(server, {
    async restart(opts: { whileDown?: () => Promise<void> } = {}) {
      await server.stop();
      await opts.whileDown?.();
      const again = await startServer({ ...full, ports: server.info.ports });
      // The new process is the one to stop at the end (RunningServer keeps its process private).
      Object.assign(server, { info: again.info, stop: again.stop.bind(again) });
    },
    account: (username: string, resource = "test") => XmppConnection.client(accountOptions(server, username, resource)),
    component: (label: string) => XmppConnection.component(componentOptions(server, label)),
    dispose: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * `n` addresses of one random 127.a.b.0/24 on which `port` is free: federated servers each need an
 * address of their own (peers dial the standard s2s port), and parallel runs must not collide.
 */
export async function freeLoopbackAddresses(n: number, port: number): Promise<string[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const net24 = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}`;
    const addresses = Array.from({ length: n }, (_, i) => `${net24}.${i + 2}`);
    const free = await Promise.all(addresses.map((host) => new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false)).listen(port, host, () => s.close(() => resolve(true)));
    })));
    if (free.every(Boolean)) return addresses;
  }
  throw new Error(`no free loopback addresses for port ${port}`);
}
