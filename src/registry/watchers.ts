// flexfed's extension urn:flexfed:registry:0 (schemas/registry.xsd): XEP-0347 has no way to learn
// that the things one searched for changed, so apps had to poll. An entity sends <watch/>; after
// things are claimed, updated, removed, disowned or unregistered the registry sends each watcher one
// <changed/> message (coalesced), and the watcher searches again. The notice names no thing, so it
// tells a watcher nothing its next search would not.
import { createElement as x } from "ltx/lib/ltx.js";
import { logger } from "../log/index.ts";
import type { XmppConnection } from "../xmpp/index.ts";
import type { ThingStore } from "./store.ts";

export const NS_REGISTRY_EXT = "urn:flexfed:registry:0";

const log = logger("registry");
/** Changes within this window reach watchers as one notice, ms. */
const COALESCE_MS = 200;
/** Watchers kept at most: a forgotten one costs a message per change. */
const MAX_WATCHERS = 1_000;

export function startWatchers(conn: XmppConnection, store: ThingStore): { readonly size: number; stop(): void } {
  const watchers = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  conn.handleIq("set", NS_REGISTRY_EXT, "watch", (req) => {
    watchers.delete(req.from);
    watchers.add(req.from);
    // The oldest go first (Sets keep insertion order).
    for (const w of watchers) { if (watchers.size <= MAX_WATCHERS) break; watchers.delete(w); }
  });
  conn.handleIq("set", NS_REGISTRY_EXT, "unwatch", (req) => { watchers.delete(req.from); });
  // A watcher that went away bounces the notice (servers need not echo the payload): forget it.
  const offBounce = conn.onStanza("message", (m) => {
    if (m.attrs.type === "error") watchers.delete(m.attrs.from ?? "");
  });

  const notify = () => {
    timer = undefined;
    for (const to of watchers) {
      conn.send(x("message", { to, type: "headline" }, x("changed", { xmlns: NS_REGISTRY_EXT })))
        .catch((err: Error) => log.info("watcher not told", { to, error: err.message }));
    }
  };
  const changed = () => { timer ??= setTimeout(notify, COALESCE_MS); };
  const events = ["claimed", "updated", "removed", "disowned", "unregistered"] as const;
  for (const e of events) store.events.on(e, changed);

  return {
    get size() { return watchers.size; },
    stop() {
      clearTimeout(timer);
      offBounce();
      for (const e of events) store.events.off(e, changed);
    },
  };
}
