// `flexfed app run NAME`: one energy app as its component (<name>.<domain>) against a running
// server, until Ctrl-C. The owner lets it in with `flexfed policy`.
import { APPS } from "../../energy-apps/index.ts";
import { hostApp } from "../app/host.ts";
import { renderSite } from "../app/render.ts";
import { AppRuntime } from "../app/runtime.ts";
import { readConfigFile } from "../device/config.ts";
import { componentOptions } from "../server/endpoints.ts";
import { readServerInfo } from "../server/prosody.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { rerunTrustingCa } from "./session.ts";
import { stopSignal } from "./signals.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed app run NAME [--config FILE | --set JSON] [options]

Runs one energy app as the component NAME.<domain> until Ctrl-C: it finds its devices in the
registry, follows them and acts. Apps: ${Object.keys(APPS).join(", ")}.
The owner must let it read (and control) the devices: flexfed policy allow read,control --to NAME.<domain> --tag SITE=...

examples:
  flexfed app run balancer --set '{"site":"home-1","importLimitW":5000,"exportLimitW":3000}'
  flexfed app run dr --set '{"feeders":["f-12"]}'
  flexfed app run monitor

options:
  --config FILE          the app's settings, YAML or JSON
  --devices-domain NAME  work with the devices of another (federated) domain: its registry, its
                         provisioning and its pubsub (default the app's own domain)
  --set JSON             the app's settings inline
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "app", usage: USAGE, options: { ...SERVER_OPTIONS, config: { type: "string" }, set: { type: "string" }, "devices-domain": { type: "string" } }, positionals: true });
  if (!args) return 0;
  const [action, name] = args.positionals;
  if (action !== "run") throw new UsageError(`app: say run${action ? `, not '${action}'` : ""}\n\n${USAGE}`);
  const make = name ? APPS[name] : undefined;
  if (!make) throw new UsageError(`app: which app? one of ${Object.keys(APPS).join(", ")}${name ? ` (not '${name}')` : ""}`);
  if (args.values.config && args.values.set) throw new UsageError("app: give --config or --set, not both");
  let settings: unknown = {};
  try {
    settings = args.values.config ? readConfigFile(args.values.config) : args.values.set ? JSON.parse(args.values.set) : {};
  } catch (err) {
    throw new UsageError(`app: ${(err as Error).message}`);
  }
  let app;
  try {
    app = make(settings);
  } catch (err) {
    const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    throw new UsageError(`app ${name}: ${issues ? issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("; ") : (err as Error).message}`);
  }
  const server = readServerInfo(serverSpecFrom(args.values).dataDir);
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const conn = await XmppConnection.component(componentOptions(server, name!));
  const runtime = new AppRuntime({ conn, search: app.search, domain: args.values["devices-domain"] });
  try {
    await runtime.start();
    const hosted = hostApp(app, runtime);
    console.log(`app: ${conn.jid} runs; ${runtime.model.devices.size} device(s) found; Ctrl-C stops it`);
    await stopSignal();
    await hosted.stop();
    console.log(renderSite(runtime.model.view(), new Date()));
  } finally {
    await runtime.stop();
    await conn.stop();
  }
  return 0;
}
