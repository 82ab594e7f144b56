// Presence (RFC 6121): availability, directed presence to components, and subscriptions.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { backoffDelay, type BackoffOptions } from "../util/backoff.ts";
import type { XmppConnection } from "./connection.ts";
import { bare } from "./pubsub.ts";

export type PresenceType = "available" | "unavailable" | "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed" | "probe" | "error";

export interface Presence {
  from: string;
  to: string;
  type: PresenceType;
  show?: string;
  status?: string;
  element: Element;
}

export async function sendPresence(
  conn: XmppConnection,
  opts: { to?: string; type?: PresenceType; show?: "away" | "chat" | "dnd" | "xa"; status?: string; payload?: Element } = {},
): Promise<void> {
  const attrs: Record<string, string> = {};
  if (opts.to) attrs.to = opts.to;
  if (opts.type && opts.type !== "available") attrs.type = opts.type;
  // A component's stanzas must carry a `from` within its domain; xmpp.js adds it.
  const el = x("presence", attrs);
  if (opts.show) el.append(x("show", {}, opts.show));
  if (opts.status) el.append(x("status", {}, opts.status));
  if (opts.payload) el.append(opts.payload);
  await conn.send(el);
}

export function parsePresence(el: Element): Presence {
  return {
    from: el.attrs.from ?? "",
    to: el.attrs.to ?? "",
    type: (el.attrs.type as PresenceType | undefined) ?? "available",
    show: el.getChildText("show") ?? undefined,
    status: el.getChildText("status") ?? undefined,
    element: el,
  };
}

export function onPresence(conn: XmppConnection, handler: (p: Presence) => void): () => void {
  return conn.onStanza("presence", (el) => handler(parsePresence(el)));
}

export type Availability = { show?: "away" | "chat" | "dnd" | "xa"; status?: string };

/** Directed presence bounced by a target that is not there (a component still reconnecting) is sent again this often, at most. */
const REDIRECT: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.3 };
const REDIRECT_ATTEMPTS = 8;

/**
 * Announces availability now and again on every fresh session: after a reconnect that could not
 * resume, the server has forgotten it. `to` lists entities that get directed presence too
 * (components learn a device's full JID this way); when one of them bounces it (it was not
 * connected yet, e.g. it restarted with the server), it is sent again with back-off, a bounded
 * number of times per session. `set` changes what is announced (a device that lost its equipment
 * says so) and announces it at once; `stop` ends the re-announcing. `directedOnly`: only the
 * directed presence (a component has no contacts to broadcast to).
 */
export function keepPresence(conn: XmppConnection, opts: { to?: string[]; directedOnly?: boolean } & Availability = {}): { set(a: Availability): void; stop(): void } {
  let now: Availability = { show: opts.show, status: opts.status };
  const targets = opts.to ?? [];
  const bounced = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const direct = (to: string) => void sendPresence(conn, { to, ...now }).catch(() => undefined);
  const announce = () => {
    bounced.clear();
    if (!opts.directedOnly) void sendPresence(conn, now).catch(() => undefined);
    for (const to of targets) direct(to);
  };
  const offBounce = onPresence(conn, (p) => {
    const to = targets.find((t) => t === p.from || t === bare(p.from));
    if (p.type !== "error" || !to) return;
    const attempt = bounced.get(to) ?? 0;
    if (attempt >= REDIRECT_ATTEMPTS) return;
    bounced.set(to, attempt + 1);
    const timer = setTimeout(() => { timers.delete(timer); if (conn.online) direct(to); }, backoffDelay(attempt, REDIRECT));
    timers.add(timer);
  });
  if (conn.online) announce();
  conn.on("online", announce);
  return {
    set(a) {
      now = a;
      if (conn.online) announce();
    },
    stop: () => {
      conn.off("online", announce);
      offBounce();
      for (const t of timers) clearTimeout(t);
    },
  };
}
