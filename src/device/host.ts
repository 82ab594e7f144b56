// Starts devices from their configuration against a prepared server: one XMPP session and one
// runtime per device; several can share a process (a simulated home, the 1 000-device bench).
import { logger } from "../log/index.ts";
import { accountOptions } from "../server/endpoints.ts";
import type { ServerInfo } from "../server/prosody.ts";
import type { Secrets } from "../server/secrets.ts";
import { XmppConnection } from "../xmpp/index.ts";
import type { ResolvedDevice } from "./config.ts";
import { DeviceRuntime } from "./runtime.ts";

export interface HostedDevice {
  runtime: DeviceRuntime;
  stop(): Promise<void>;
}

export async function startDevice(server: { info: ServerInfo; secrets: Secrets }, device: ResolvedDevice, opts: { identityTimeoutMs?: number } = {}): Promise<HostedDevice> {
  const { config, family, driverConfig } = device;
  const conn = await XmppConnection.client(accountOptions(server, config.resourceId, "device"));
  const driver = family.create(driverConfig, { resourceId: config.resourceId, log: logger(`driver:${config.resourceId}`), now: () => new Date() });
  const runtime = new DeviceRuntime({ conn, driver, resourceId: config.resourceId, tags: config.tags, outboxCapacity: config.outboxCapacity, ...opts });
  const stop = async () => {
    await runtime.stop();
    await conn.stop();
  };
  try {
    await runtime.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { runtime, stop };
}
