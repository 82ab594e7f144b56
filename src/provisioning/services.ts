// The registry (XEP-0347) and provisioning (XEP-0324) together: one process, one SQLite database,
// so provisioning follows each claim as it is committed.
import path from "node:path";
import { startRegistry } from "../registry/component.ts";
import { openDatabase, ThingStore } from "../registry/store.ts";
import { componentOptions } from "../server/endpoints.ts";
import type { ServerInfo } from "../server/prosody.ts";
import type { Secrets } from "../server/secrets.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { startProvisioning, type Provisioning } from "./component.ts";
import { registryDirectory } from "./directory.ts";
import type { SharedPublishers } from "./shared-nodes.ts";
import { PolicyStore } from "./store.ts";

export interface ThingServices {
  things: ThingStore;
  policies: PolicyStore;
  provisioning: Provisioning;
  registryJid: string;
  provisioningJid: string;
  stop(): Promise<void>;
}

/** Who publishes grid signals and alarms unless told otherwise: the operator account and the monitor app. */
export const defaultPublishers = (domain: string): SharedPublishers => ({ grid: [`operator@${domain}`], alarms: [`monitor.${domain}`] });

/** Connects registry.<domain> and provisioning.<domain> and serves them from <data dir>/things.sqlite. */
export async function startThingServices(server: { info: ServerInfo; secrets: Secrets }, opts: { publishers?: SharedPublishers } = {}): Promise<ThingServices> {
  const db = openDatabase(path.join(server.info.dataDir, "things.sqlite"));
  const things = new ThingStore(db);
  const policies = new PolicyStore(db);
  const [registryConn, provisioningConn] = await Promise.all([
    XmppConnection.component(componentOptions(server, "registry")),
    XmppConnection.component(componentOptions(server, "provisioning")),
  ]);
  const registry = startRegistry({ conn: registryConn, db: things });
  const provisioning = startProvisioning({
    conn: provisioningConn,
    store: policies,
    directory: registryDirectory(things),
    services: { pubsub: server.info.pubsub, telemetry: server.info.telemetry },
    trusted: [registryConn.jid],
    publishers: opts.publishers ?? defaultPublishers(server.info.domain),
  });
  return {
    things,
    policies,
    provisioning,
    registryJid: registryConn.jid,
    provisioningJid: provisioningConn.jid,
    stop: async () => {
      registry.stop();
      await provisioning.stop();
      await Promise.all([registryConn.stop(), provisioningConn.stop()]);
      db.close();
    },
  };
}
