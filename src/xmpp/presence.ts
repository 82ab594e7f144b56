// Presence (RFC 6121): availability, directed presence to components, and subscriptions.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import type { XmppConnection } from "./connection.ts";

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

/**
 * Announces availability now and again on every fresh session: after a reconnect that could not
 * resume, the server has forgotten it. `to` lists entities that get directed presence too
 * (components learn a device's full JID this way). `set` changes what is announced (a device that
 * lost its equipment says so) and announces it at once; `stop` ends the re-announcing.
 */
export function keepPresence(conn: XmppConnection, opts: { to?: string[] } & Availability = {}): { set(a: Availability): void; stop(): void } {
  let now: Availability = { show: opts.show, status: opts.status };
  const announce = () => {
    void sendPresence(conn, now).catch(() => undefined);
    for (const to of opts.to ?? []) void sendPresence(conn, { to, ...now }).catch(() => undefined);
  };
  if (conn.online) announce();
  conn.on("online", announce);
  return {
    set(a) {
      now = a;
      if (conn.online) announce();
    },
    stop: () => void conn.off("online", announce),
  };
}
