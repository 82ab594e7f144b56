// `flexfed smoke`: the smoke scenario against a running server. An admin component owns
// the device's node, the device publishes a status every few seconds, and the app component
// follows it and sends the device an IQ each time, printing the round trip.
import { createElement as x } from "ltx/lib/ltx.js";
import { accountOptions, componentOptions } from "../server/endpoints.ts";
import { readServerInfo } from "../server/prosody.ts";
import { bare, keepPresence, onPubsubEvent, PubsubClient, XmppConnection, XmppError } from "../xmpp/index.ts";
import { parseCommand } from "./usage.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { stopSignal } from "./signals.ts";

const NS_SMOKE = "urn:flexfed:smoke:0";
export const SMOKE_DEVICE = "smoke-device";
export const SMOKE_APP = "app";
/** The smoke scenario's own admin component: registry.<domain> is taken by `flexfed services`. */
export const SMOKE_ADMIN = "smoke";

const USAGE = `usage: flexfed smoke [options]

Runs the smoke scenario against a server started by \`flexfed up\` or \`flexfed server start\`:
an admin component creates efi/${SMOKE_DEVICE}, the device publishes to it, the app component receives
each publication and sends the device an IQ. Ctrl-C stops it.

options:
${SERVER_OPTIONS_HELP}
  --interval SECONDS     time between publications (default 5)
  --count N              stop after N publications (default: run until stopped)`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    name: "smoke",
    usage: USAGE,
    options: { ...SERVER_OPTIONS, interval: { type: "string" }, count: { type: "string" } },
  });
  if (!args) return 0;
  const interval = Number(args.values.interval ?? 5);
  const count = args.values.count === undefined ? Infinity : Number(args.values.count);
  if (!(interval > 0) || !(count > 0)) throw new Error("--interval and --count must be positive numbers");
  const server = readServerInfo(serverSpecFrom(args.values).dataDir);
  const node = `efi/${SMOKE_DEVICE}`;

  const [admin, device, app] = await Promise.all([
    XmppConnection.component(componentOptions(server, SMOKE_ADMIN)),
    XmppConnection.client(accountOptions(server, SMOKE_DEVICE, "smoke")),
    XmppConnection.component(componentOptions(server, SMOKE_APP)),
  ]);
  const stop = async () => { await Promise.all([admin, device, app].map((c) => c.stop())); };

  try {
    const owner = new PubsubClient(admin, server.info.pubsub);
    await owner.createNode(node, { accessModel: "whitelist", persistItems: true, maxItems: 32 }).catch((err: unknown) => {
      if (!(err instanceof XmppError && err.condition === "conflict")) throw err; // exists from an earlier run
    });
    await owner.setAffiliations(node, { [bare(device.jid)]: "publisher", [app.jid]: "member" });
    keepPresence(device, { to: [app.jid] });
    device.handleIq("get", NS_SMOKE, "ping", () => x("pong", { xmlns: NS_SMOKE }));
    await new PubsubClient(app, server.info.pubsub).subscribe(node);
    console.log(`smoke: ${device.jid} publishes on ${server.info.pubsub} ${node}; ${app.jid} follows it`);

    let received = 0;
    const done = new Promise<void>((resolve) => {
      onPubsubEvent(app, (event) => {
        for (const item of event.items) {
          const t0 = performance.now();
          void app.iq(device.jid, "get", x("ping", { xmlns: NS_SMOKE })).then(
            () => console.log(`app: ${event.node} item ${item.id} = "${item.payload?.getText()}"; IQ to ${device.jid} answered in ${(performance.now() - t0).toFixed(1)} ms`),
            (err: Error) => console.log(`app: IQ to ${device.jid} failed: ${err.message}`),
          );
          if (++received >= count) resolve();
        }
      });
    });
    const publisher = new PubsubClient(device, server.info.pubsub);
    let n = 0;
    const publish = () => {
      n += 1;
      if (n > count) return;
      void publisher.publish(node, x("status", { xmlns: NS_SMOKE }, `heartbeat ${n}`), "status")
        .catch((err: Error) => console.log(`device: publish failed: ${err.message}`));
    };
    publish();
    const timer = setInterval(publish, interval * 1000);
    await Promise.race([done, stopSignal()]);
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 200)); // let the last IQ answer print
  } finally {
    await stop();
  }
  return 0;
}
