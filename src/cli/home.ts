// `flexfed home`: a simulated home whose devices speak their real protocols, each a device on
// XMPP: a P1 smart meter (DSMR 5 telegrams on a mock serial port), a home battery (SunSpec over
// Modbus TCP) and a grid meter (SunSpec 203 over Modbus TCP). The owner account claims them.
import { randomBytes } from "node:crypto";
import { P1Simulator } from "../../drivers/dsmr-p1/index.ts";
import { FAMILIES } from "../../drivers/index.ts";
import { BatterySimulator } from "../../drivers/sunspec-battery/index.ts";
import { MeterSimulator } from "../../drivers/sunspec-meter/index.ts";
import { resolveDevices } from "../device/config.ts";
import { startDevice, type HostedDevice } from "../device/host.ts";
import { accountOptions } from "../server/endpoints.ts";
import { addAccounts, readServerInfo } from "../server/prosody.ts";
import { RegistryClient } from "../registry/index.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { rerunTrustingCa } from "./session.ts";
import { parseCommand } from "./usage.ts";
import { stopSignal } from "./signals.ts";

export const HOME_DEVICES = ["p1-meter-1", "battery-1", "grid-meter-1"] as const;
export const HOME_SITE = "home-1";

const USAGE = `usage: flexfed home [options]

Runs a simulated home against a running server (\`flexfed up\` starts it for you): a P1 smart
meter writing DSMR 5 telegrams to a mock serial port, a 10 kWh home battery speaking SunSpec over
Modbus TCP on 127.0.0.1 and a SunSpec grid meter, each a device on XMPP (${HOME_DEVICES.join(", ")}),
with SITE=${HOME_SITE}. The account "owner" claims them. Ctrl-C stops it.

options:
${SERVER_OPTIONS_HELP}`;

/** A daily household load with a midday PV dip, W (import positive). */
const household = (t: number) => {
  const hour = (t / 3_600_000) % 24;
  return Math.round(400 + 1_200 * Math.max(0, Math.sin(((hour - 16) / 8) * Math.PI)) - 2_500 * Math.max(0, Math.sin(((hour - 7) / 12) * Math.PI)));
};

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "home", usage: USAGE, options: SERVER_OPTIONS });
  if (!args) return 0;
  const dataDir = serverSpecFrom(args.values).dataDir;
  const server = readServerInfo(dataDir);
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const secrets = await addAccounts(dataDir, [...HOME_DEVICES, "owner"]);

  const p1Path = `/dev/flexfed-p1-${process.pid}`;
  const p1 = new P1Simulator({ path: p1Path });
  const battery = new BatterySimulator({ socPct: 50, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000, selfDischargePctPerDay: 1 });
  const grid = new MeterSimulator({ powerW: household });
  const [bat, meter] = [await battery.listen(), await grid.listen()];
  p1.start();

  const key = () => randomBytes(9).toString("base64url");
  const site = (KEY: string) => ({ SITE: HOME_SITE, KEY });
  const devices = resolveDevices({
    devices: [
      { resourceId: "p1-meter-1", tags: site(key()), driver: { type: "dsmr-p1", path: p1Path, simulated: true } },
      { resourceId: "battery-1", tags: site(key()), driver: { type: "sunspec-battery", transport: { type: "tcp", host: bat.host, port: bat.port }, pollMs: 2_000 } },
      { resourceId: "grid-meter-1", tags: site(key()), driver: { type: "sunspec-meter", transport: { type: "tcp", host: meter.host, port: meter.port }, pollMs: 2_000 } },
    ],
  }, FAMILIES, "home");

  const hosted: HostedDevice[] = [];
  let owner: XmppConnection | undefined;
  try {
    for (const d of devices) hosted.push(await startDevice({ info: server.info, secrets }, d));
    owner = await XmppConnection.client(accountOptions({ info: server.info, secrets }, "owner", `home-${process.pid}`));
    const registry = new RegistryClient(owner, `registry.${server.info.domain}`);
    for (const h of hosted) if (!h.runtime.claimed) await registry.claim(h.runtime.tags);
    const where = [`serial ${p1Path} (DSMR 5, simulated)`, `Modbus TCP ${bat.host}:${bat.port}`, `Modbus TCP ${meter.host}:${meter.port}`];
    console.log(["home: a simulated home, claimed by owner@" + server.info.domain, ...hosted.map((h, i) =>
      `  ${`${h.runtime.resourceId}@${server.info.domain}`.padEnd(28)} ${devices[i]!.family.type.padEnd(16)} ${where[i]}`)].join("\n"));
    await stopSignal();
  } finally {
    await owner?.stop();
    await Promise.all(hosted.map((h) => h.stop()));
    p1.stop();
    await Promise.all([battery.stop(), grid.stop()]);
  }
  return 0;
}
