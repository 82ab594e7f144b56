// `flexfed services`: the thing registry (XEP-0347) and provisioning (XEP-0324) components in one
// process, sharing one SQLite database, so provisioning follows claims as they are committed.
import path from "node:path";
import { startProvisioning } from "../provisioning/component.ts";
import { registryDirectory } from "../provisioning/directory.ts";
import { PolicyStore } from "../provisioning/store.ts";
import { startRegistry } from "../registry/component.ts";
import { openDatabase, ThingStore } from "../registry/store.ts";
import { componentOptions } from "../server/endpoints.ts";
import { readServerInfo } from "../server/prosody.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { parseCommand } from "./usage.ts";

const USAGE = `usage: flexfed services [options]

Runs registry.<domain> and provisioning.<domain> against a running server, with their state in
<data dir>/things.sqlite. \`flexfed up\` starts it for you. Ctrl-C stops it.

options:
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "services", usage: USAGE, options: SERVER_OPTIONS });
  if (!args) return 0;
  const server = readServerInfo(serverSpecFrom(args.values).dataDir);
  const db = openDatabase(path.join(server.info.dataDir, "things.sqlite"));
  const things = new ThingStore(db);
  const [registryConn, provisioningConn] = await Promise.all([
    XmppConnection.component(componentOptions(server, "registry")),
    XmppConnection.component(componentOptions(server, "provisioning")),
  ]);
  const registry = startRegistry({ conn: registryConn, db: things });
  const provisioning = startProvisioning({
    conn: provisioningConn,
    store: new PolicyStore(db),
    directory: registryDirectory(things),
    services: { pubsub: server.info.pubsub, telemetry: server.info.telemetry },
    trusted: [registryConn.jid],
  });
  console.log(`services: ${registryConn.jid} (${things.count()} things) and ${provisioningConn.jid} serve ${server.info.domain}`);
  await new Promise<void>((resolve) => { for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, () => resolve()); });
  registry.stop();
  await provisioning.stop();
  await Promise.all([registryConn.stop(), provisioningConn.stop()]);
  db.close();
  return 0;
}
