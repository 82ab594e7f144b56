// `flexfed server setup|start|status|stop`: the XMPP server on its own.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensurePackages } from "../server/install.ts";
import { portAnswers } from "../server/ports.ts";
import { prepareServer, readServerInfo, SERVER_NAMES, serverOf, startServer, type ServerKind } from "../server/prosody.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { parseCommand, UsageError } from "./usage.ts";
import { stopSignal } from "./signals.ts";

const USAGE = `usage: flexfed server <setup|start|status|stop> [options]

  setup    prepare the data dir: config, CA and certificates, secrets (idempotent)
  start    start the server (Prosody or ejabberd) in the foreground; Ctrl-C stops it
  status   say whether the server of this data dir runs and its ports answer
  stop     stop a server left running by this data dir (e.g. after a crash), by its PID

options:
${SERVER_OPTIONS_HELP}`;

/** A path only the data dir's own server process names on its command line (ejabberd: its mnesia dir). */
const OWN_FILE: Record<ServerKind, string> = { prosody: "prosody.cfg.lua", ejabberd: "spool" };

/** The PID in the data dir's pidfile, if that process is the server running this data dir's config. */
function ownServerPid(dataDir: string, server: ServerKind): number | undefined {
  const pidFile = path.join(dataDir, `${server}.pid`);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(path.join(dataDir, OWN_FILE[server])) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "server", usage: USAGE, options: SERVER_OPTIONS, positionals: true });
  if (!args) return 0;
  const [action, ...extra] = args.positionals;
  if (extra.length) throw new UsageError(`server: unexpected argument '${extra[0]}'`);
  const spec = serverSpecFrom(args.values);
  const kind = serverOf(spec);
  switch (action) {
    case "setup": {
      ensurePackages(kind);
      const { info } = await prepareServer(spec);
      console.log(`prepared ${info.dataDir} for ${info.domain} (c2s ${info.ports.c2s}, components ${info.ports.component})`);
      return 0;
    }
    case "start": {
      ensurePackages(kind);
      const server = await startServer(spec);
      console.log(`${SERVER_NAMES[kind]} (pid ${server.pid}) serves ${server.info.domain}: c2s ${server.info.ports.c2s}, components ${server.info.ports.component}. Ctrl-C stops it.`);
      await stopSignal();
      await server.stop();
      return 0;
    }
    case "status": {
      const { info } = readServerInfo(spec.dataDir);
      const pid = ownServerPid(info.dataDir, info.server);
      const c2s = await portAnswers(info.address, info.ports.c2s);
      console.log(pid ? `running (pid ${pid}), c2s port ${info.ports.c2s} ${c2s ? "answers" : "does not answer"}` : "not running");
      return pid && c2s ? 0 : 3;
    }
    case "stop": {
      const pid = ownServerPid(spec.dataDir, kind);
      if (!pid) { console.log(`no ${SERVER_NAMES[kind]} of ${spec.dataDir} is running`); return 0; }
      process.kill(pid, "SIGTERM");
      console.log(`sent SIGTERM to ${SERVER_NAMES[kind]} (pid ${pid})`);
      return 0;
    }
    default:
      throw new UsageError(action ? `server: unknown action '${action}'\n\n${USAGE}` : USAGE);
  }
}
