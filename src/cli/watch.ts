// `flexfed watch`: the devices an account may see (by default the owner's), their control spaces
// and instruction statuses, live in the terminal. It is an app that only looks: the app runtime
// over the account's session.
import { AppRuntime } from "../app/runtime.ts";
import { renderSite } from "../app/render.ts";
import type { SearchOperatorInput } from "../registry/index.ts";
import { keepPresence } from "../xmpp/index.ts";
import { ACCOUNT_OPTIONS, ACCOUNT_OPTIONS_HELP, asAccount } from "./session.ts";
import { stopSignal } from "./signals.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed watch [--site SITE | --feeder FEEDER] [--once] [options]

Shows the devices the account may see (their registry tags, presence, power, control space and
latest instruction status), redrawn as they change. Ctrl-C ends it.

options:
  --site SITE            only the devices of this site (SITE tag)
  --feeder FEEDER        only the devices behind this feeder (FEEDER tag)
  --once                 print one picture once every device found has been read, and exit
${ACCOUNT_OPTIONS_HELP}`;

/** How long --once waits for the devices' presence and nodes, ms. */
const SETTLE_MS = 5_000;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    name: "watch", usage: USAGE,
    options: { ...ACCOUNT_OPTIONS, site: { type: "string" }, feeder: { type: "string" }, once: { type: "boolean" } },
  });
  if (!args) return 0;
  const { site, feeder, once } = args.values;
  if (site && feeder) throw new UsageError(`watch: give --site or --feeder, not both\n\n${USAGE}`);
  const search: SearchOperatorInput[] = site ? [{ op: "strEq", name: "SITE", value: site }]
    : feeder ? [{ op: "strEq", name: "FEEDER", value: feeder }]
    : [{ op: "strMask", name: "RID", value: "*", wildcard: "*" }];
  return asAccount(args.values, async (conn, info) => {
    const runtime = new AppRuntime({ conn, search, domain: info.domain });
    // Available, so the server passes on the devices' presence changes to this session.
    const presence = keepPresence(conn);
    await runtime.start();
    const picture = () => renderSite(runtime.model.view(), new Date());
    try {
      if (once) {
        const until = Date.now() + SETTLE_MS;
        // Online (or lost) devices show up within moments; an offline one is shown so after the wait.
        const settled = () => runtime.model.view().every((d) => runtime.refused.has(d.rid) || (runtime.isRead(d.rid) && (d.presence === "online" || d.presence === "lost")));
        while (!settled() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        console.log(picture());
        return 0;
      }
      const tty = process.stdout.isTTY;
      let dirty = true;
      runtime.on("change", () => { dirty = true; });
      runtime.on("devices", () => { dirty = true; });
      const timer = setInterval(() => {
        if (!dirty) return;
        dirty = false;
        // A terminal is redrawn in place; a pipe gets one picture per change, at most one a second.
        process.stdout.write(`${tty ? "\x1b[H\x1b[2J" : "\n"}${picture()}\n`);
      }, 1_000);
      await stopSignal();
      clearInterval(timer);
      return 0;
    } finally {
      presence.stop();
      await runtime.stop();
    }
  });
}
