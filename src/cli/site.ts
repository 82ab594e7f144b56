// `flexfed site run|check FILE`: the devices of a site file (YAML or JSON), on real equipment or
// simulators, as devices on XMPP. `flexfed device run|check --config FILE` is the same for a file
// of one device.
import { randomBytes } from "node:crypto";
import { FAMILIES } from "../../drivers/index.ts";
import { ConfigError, openSite, readConfigFile, type Site } from "../device/config.ts";
import { startDevice, type HostedDevice } from "../device/host.ts";
import { SimulatedWorld } from "../device/simulation.ts";
import { RegistryClient } from "../registry/index.ts";
import { accountOptions } from "../server/endpoints.ts";
import { addAccounts, readServerInfo } from "../server/prosody.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { rerunTrustingCa } from "./session.ts";
import { stopSignal } from "./signals.ts";
import { parseCommand, UsageError } from "./usage.ts";

export const FILE_HELP = `FILE is YAML or JSON: one device, or a site:
  site: home-1                 # the SITE tag of every device
  tags: { FEEDER: f-12 }       # tags of every device
  devices:
    - resourceId: battery-1    # the device's account <resourceId>@<domain> and its node efi/<resourceId>
      tags: { KEY: a-secret }  # its own tags (KEY: what its owner claims it by)
      driver: { type: sunspec-battery, transport: { type: tcp, host: 192.168.1.20, port: 502 } }
      simulate: true           # instead of equipment: the family's simulator, in this process
driver types: ${FAMILIES.map((f) => f.type).join(", ")}`;

const USAGE = `usage: flexfed site run|check FILE... [options]

  run     runs the devices of each FILE against the server in the data dir: each logs in as
          <resourceId>@<domain> (the account is created when missing), registers in the thing
          registry and prints the claim string its owner claims it with. Ctrl-C stops them.
  check   checks each FILE and says what is wrong, with the path of each field at fault

${FILE_HELP}

options:
  --claim-as ACCOUNT     claim every device as this account of the data dir (e.g. owner)
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "site", usage: USAGE, options: { ...SERVER_OPTIONS, "claim-as": { type: "string" } }, positionals: true });
  if (!args) return 0;
  const [action, ...files] = args.positionals;
  if (action !== "run" && action !== "check") throw new UsageError(`site: say run or check${action ? `, not '${action}'` : ""}\n\n${USAGE}`);
  if (!files.length) throw new UsageError(`site: which FILE?\n\n${USAGE}`);
  return action === "check" ? checkSite(files) : runSite(files, serverSpecFrom(args.values).dataDir, args.values["claim-as"]);
}

/** The devices of several files (their simulators in one world); resource ids must differ across them too. */
export async function openSites(files: readonly string[], world = new SimulatedWorld()): Promise<Site> {
  const sites: Site[] = [];
  const stop = async () => { await Promise.all(sites.map((s) => s.stop())); };
  try {
    for (const file of files) sites.push(await openSite(readConfigFile(file), FAMILIES, file, world));
    const devices = sites.flatMap((s) => s.devices);
    const twice = devices.find((d, i) => devices.findIndex((e) => e.config.resourceId === d.config.resourceId) !== i);
    if (twice) throw new ConfigError(`${files.join(", ")}: resourceId '${twice.config.resourceId}' appears in more than one file`);
    return { devices, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Checks files, simulators included (they start and stop again). */
export async function checkSite(files: readonly string[]): Promise<number> {
  const site = await openSites(files);
  await site.stop();
  for (const d of site.devices) console.log(`${d.config.resourceId}: ${d.family.type}${d.simulated ? " (simulated)" : ""}, ok`);
  return 0;
}

/** Runs the files' devices until a stop signal; with `claimAs`, that account claims them. */
export async function runSite(files: readonly string[], dataDir: string, claimAs?: string): Promise<number> {
  const server = readServerInfo(dataDir);
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const site = await openSites(files);
  const hosted: HostedDevice[] = [];
  let owner: XmppConnection | undefined;
  try {
    const secrets = await addAccounts(dataDir, [...site.devices.map((d) => d.config.resourceId), ...(claimAs ? [claimAs] : [])]);
    for (const d of site.devices) {
      // A claimable thing needs a secret tag: one is made up for devices the file gives none.
      if (claimAs && d.config.tags.KEY === undefined) d.config.tags.KEY = randomBytes(9).toString("base64url");
      hosted.push(await startDevice({ info: server.info, secrets }, d));
    }
    if (claimAs) {
      owner = await XmppConnection.client(accountOptions({ info: server.info, secrets }, claimAs, `site-${process.pid}`));
      const registry = new RegistryClient(owner, `registry.${server.info.domain}`);
      for (const h of hosted) if (!h.runtime.claimed) await registry.claim(h.runtime.tags);
    }
    // Listening for the stop signal before printing: whoever reads the claim string may stop us at once.
    const stopped = stopSignal();
    console.log([`site: ${files.join(", ")}${claimAs ? `, claimed by ${claimAs}@${server.info.domain}` : ""}`, ...hosted.map((h, i) => {
      const d = site.devices[i]!;
      const jid = `${d.config.resourceId}@${server.info.domain}`.padEnd(28);
      return `  ${jid} ${d.family.type.padEnd(16)} ${d.simulated ?? ""}${h.runtime.claimed ? "" : `\n    claim with: flexfed claim '${h.runtime.claimString}'`}`;
    })].join("\n"));
    await stopped;
  } finally {
    await owner?.stop();
    await Promise.all(hosted.map((h) => h.stop()));
    await site.stop();
  }
  return 0;
}
