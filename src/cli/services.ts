// `flexfed services`: the thing registry and provisioning components against a running server.
import { defaultPublishers, startThingServices } from "../provisioning/services.ts";
import { readServerInfo } from "../server/prosody.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { parseCommand } from "./usage.ts";
import { stopSignal } from "./signals.ts";

const USAGE = `usage: flexfed services [options]

Runs registry.<domain> and provisioning.<domain> against a running server, with their state in
<data dir>/things.sqlite. \`flexfed up\` starts it for you. Ctrl-C stops it.

options:
  --grid-publishers JID,...  who may publish grid signals on grid/<feeder> (default operator@<domain>;
                             a grid operator of another domain: operator@grid.test)
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "services", usage: USAGE, options: { ...SERVER_OPTIONS, "grid-publishers": { type: "string" } } });
  if (!args) return 0;
  const server = readServerInfo(serverSpecFrom(args.values).dataDir);
  const publishers = defaultPublishers(server.info.domain);
  const grid = args.values["grid-publishers"]?.split(",").map((j) => j.trim()).filter(Boolean);
  const services = await startThingServices(server, { publishers: grid?.length ? { ...publishers, grid } : publishers });
  console.log(`services: ${services.registryJid} (${services.things.count()} things) and ${services.provisioningJid} serve ${server.info.domain}`);
  await stopSignal();
  await services.stop();
  return 0;
}
