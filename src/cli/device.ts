// `flexfed device run|check --config FILE`: devices from a configuration file, on real hardware
// or simulators, as devices on XMPP.
import { FAMILIES } from "../../drivers/index.ts";
import { loadDeviceFile, type ResolvedDevice } from "../device/config.ts";
import { startDevice, type HostedDevice } from "../device/host.ts";
import { addAccounts, readServerInfo } from "../server/prosody.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { rerunTrustingCa } from "./session.ts";
import { parseCommand, UsageError } from "./usage.ts";
import { stopSignal } from "./signals.ts";

const USAGE = `usage: flexfed device run|check --config FILE [options]

  run     runs the devices FILE describes against the server in the data dir: each logs in as
          <resourceId>@<domain> (the account is created when missing), registers in the thing
          registry with its tags and prints the claim string its owner claims it with
          (\`flexfed claim 'IoTDisco;...'\`). Ctrl-C stops them.
  check   checks FILE and says what is wrong, with the path of each field at fault

FILE is JSON: one device, or {"devices": [...]}. A device:
  {"resourceId": "battery-1", "tags": {"SITE": "home-1", "KEY": "..."},
   "driver": {"type": "${FAMILIES.map((f) => f.type).join(" | ")}", ...the driver's settings}}

options:
  --config FILE          the device configuration (required)
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "device", usage: USAGE, options: { ...SERVER_OPTIONS, config: { type: "string" } }, positionals: true });
  if (!args) return 0;
  const [action, ...extra] = args.positionals;
  if (action !== "run" && action !== "check") throw new UsageError(`device: say run or check${action ? `, not '${action}'` : ""}\n\n${USAGE}`);
  if (extra.length) throw new UsageError(`device: unexpected '${extra.join(" ")}'`);
  if (!args.values.config) throw new UsageError(`device: --config FILE is required\n\n${USAGE}`);
  const devices = loadDeviceFile(args.values.config, FAMILIES);
  if (action === "check") {
    for (const d of devices) console.log(`${d.config.resourceId}: ${d.family.type}, ok`);
    return 0;
  }
  return runDevices(serverSpecFrom(args.values).dataDir, devices);
}

async function runDevices(dataDir: string, devices: ResolvedDevice[]): Promise<number> {
  const server = readServerInfo(dataDir);
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const secrets = await addAccounts(dataDir, devices.map((d) => d.config.resourceId));
  const hosted: HostedDevice[] = [];
  const stopAll = () => Promise.all(hosted.map((h) => h.stop()));
  try {
    for (const d of devices) {
      const h = await startDevice({ info: server.info, secrets }, d);
      hosted.push(h);
      console.log(`${d.config.resourceId}@${server.info.domain}: ${d.family.type}, ${h.runtime.claimed ? "claimed" : `claim with: flexfed claim '${h.runtime.claimString}'`}`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  await stopSignal();
  await stopAll();
  return 0;
}
