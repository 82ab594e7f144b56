import { EventEmitter } from "node:events";
import { client as xmppClient } from "@xmpp/client";
import xmppComponent from "@xmpp/component";
import type { Element } from "ltx/lib/ltx.js";
import { createElement } from "ltx/lib/ltx.js";
import { logger } from "../log/index.ts";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "../util/backoff.ts";
import { toXmppError, XmppError } from "./errors.ts";
import "./scram.ts";

const log = logger("xmpp");

export interface ClientOptions {
  /** e.g. xmpp://127.0.0.1:5222 */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  backoff?: BackoffOptions;
  /** How long connect() keeps retrying before it gives up, ms. */
  connectTimeoutMs?: number;
}

export interface ComponentOptions {
  /** e.g. xmpp://127.0.0.1:5347 */
  service: string;
  /** The component's JID, e.g. registry.localhost */
  domain: string;
  password: string;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
}

export interface IqRequest {
  from: string;
  to: string;
  id: string;
  /** The one child of the IQ. */
  element: Element;
  stanza: Element;
}

/** What an IQ handler returns: a payload element, or nothing for an empty result. Throw XmppError to refuse. */
export type IqHandler = (req: IqRequest) => Promise<Element | void> | Element | void;

interface PendingReplies {
  handlers: Map<string, { promise: Promise<unknown> }>;
}

/**
 * xmpp.js 0.14's IQ caller rejects a request's deferred when an error reply arrives while `send`
 * is still awaiting the socket write: nobody listens yet, so Node reports an unhandled rejection
 * and ends the process (with every device it hosts), though the caller gets the error right
 * after. Seen in bench/devices.ts with `forbidden` answers to publishes made before provisioning
 * created the nodes. Marking each pending reply as observed keeps the rejection for the caller.
 */
function observeEarlyReplies(caller: PendingReplies): void {
  const set = caller.handlers.set.bind(caller.handlers);
  caller.handlers.set = (id, deferred) => {
    deferred.promise.catch(() => undefined);
    return set(id, deferred);
  };
}

/** What xmpp.js calls its socket: a node socket, or (TLS, STARTTLS) a wrapper around one. */
interface XmppjsSocket {
  on(event: "error", f: () => void): unknown;
  setNoDelay?(noDelay: boolean): unknown;
  destroy?(): void;
  socket?: XmppjsSocket | null;
}

/** The node socket under an xmpp.js socket. */
const nodeSocket = (s: XmppjsSocket | null): XmppjsSocket | null | undefined => (s?.destroy ? s : s?.socket);

interface SocketOwner {
  parser: unknown;
  socket: XmppjsSocket | null;
  _onData(data: Buffer): void;
  _detachSocket(): unknown;
}

/**
 * xmpp.js 0.14 lets a socket outlive what it knows of it, and the socket's next event is then an
 * uncaught exception that ends the process with every device it hosts:
 * - it detaches its parser when the server closes the stream (or sends bad XML) but keeps
 *   listening to the socket, so bytes after that throw "Cannot read properties of null (reading
 *   'write')" (bench/scale, the owner's session claiming 10 000 devices). What follows a closed
 *   stream means nothing: it is dropped, and the connection closes and reconnects as usual.
 * - when the server does not close the socket within its timeout it removes the socket's
 *   listeners, error included, and leaves it open: the server's later reset is an uncaught
 *   ECONNRESET (CI, a test's servers stopping). A detached socket is destroyed, its errors ignored.
 * Patched before the first connect: the socket listener binds `_onData` then.
 */
function survivePostCloseSocketEvents(entity: SocketOwner): void {
  const onData = entity._onData;
  entity._onData = function (this: SocketOwner, data: Buffer) {
    if (this.parser) onData.call(this, data);
  };
  const detach = entity._detachSocket;
  entity._detachSocket = function (this: SocketOwner) {
    const socket = this.socket;
    const detached = detach.call(this);
    socket?.on("error", () => undefined);
    nodeSocket(socket)?.destroy?.();
    return detached;
  };
}

/** Certificate verification failures of node:tls: retrying cannot fix them. */
const TLS_TRUST_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Why an error can never be cured by reconnecting (wrong password, unknown component, untrusted certificate), or undefined. */
function fatalReason(err: unknown): string | undefined {
  const e = err as { name?: string; condition?: string; code?: string; message?: string };
  if ((e?.name === "SASLError" || e?.name === "StreamError") &&
    ["not-authorized", "host-unknown", "conflict", "account-disabled", "credentials-expired"].includes(e.condition ?? "")) {
    return e.message;
  }
  if (e?.code && TLS_TRUST_CODES.has(e.code)) {
    return `the server's TLS certificate is not trusted (${e.code}); start with NODE_EXTRA_CA_CERTS=<data dir>/certs/ca.crt`;
  }
  return undefined;
}

/**
 * One XMPP session (a device's client connection or a component), with what xmpp.js lacks:
 * exponential back-off with jitter on reconnect, TCP_NODELAY (Nagle costs ~40 ms per round trip),
 * errors typed as XmppError, and an `online` event on every fresh session so callers re-send
 * presence. Events: "online" (jid), "offline", "stanza" (Element).
 */
export class XmppConnection extends EventEmitter {
  #attempt = 0;
  #fatal: Error | undefined;
  #stopped = false;

  private constructor(
    readonly entity: XmppjsEntity,
    readonly kind: "client" | "component",
    private readonly backoff: BackoffOptions,
  ) {
    super();
    observeEarlyReplies(entity.iqCaller as unknown as PendingReplies);
    survivePostCloseSocketEvents(entity as unknown as SocketOwner);
    entity.reconnect.delay = backoffDelay(0, backoff);
    entity.on("error", (err: unknown) => {
      const reason = fatalReason(err);
      if (reason) {
        this.#fatal = new Error(`${this.label}: ${reason}`);
        entity.reconnect.stop();
        this.emit("fatal", this.#fatal);
      }
      log.debug("connection error", { who: this.label, error: (err as Error)?.message });
    });
    entity.on("connect", () => {
      nodeSocket(entity.socket as unknown as XmppjsSocket | null)?.setNoDelay?.(true);
    });
    entity.on("online", (jid: { toString(): string }) => {
      this.#attempt = 0;
      entity.reconnect.delay = backoffDelay(0, backoff);
      log.info("online", { jid: jid.toString() });
      this.emit("online", jid.toString());
    });
    entity.on("offline", () => this.emit("offline"));
    entity.on("disconnect", () => this.emit("disconnect"));
    // Each failed attempt lengthens the wait before the next one.
    entity.reconnect.on("reconnecting", () => {
      this.#attempt += 1;
      entity.reconnect.delay = backoffDelay(this.#attempt, backoff);
    });
    entity.on("stanza", (el: Element) => this.emit("stanza", el));
  }

  static async client(opts: ClientOptions): Promise<XmppConnection> {
    const entity = xmppClient({
      service: opts.service,
      domain: opts.domain,
      username: opts.username,
      password: opts.password,
      resource: opts.resource,
    });
    const conn = new XmppConnection(entity, "client", opts.backoff ?? DEFAULT_BACKOFF);
    await conn.#start(opts.connectTimeoutMs ?? 30_000);
    return conn;
  }

  static async component(opts: ComponentOptions): Promise<XmppConnection> {
    const entity = xmppComponent.component({ service: opts.service, domain: opts.domain, password: opts.password });
    const conn = new XmppConnection(entity, "component", opts.backoff ?? DEFAULT_BACKOFF);
    await conn.#start(opts.connectTimeoutMs ?? 30_000);
    return conn;
  }

  get label(): string {
    return this.entity.jid?.toString() ?? this.entity.options.domain ?? this.kind;
  }

  /** The full JID of this session (a component's domain). */
  get jid(): string {
    const jid = this.entity.jid?.toString();
    if (!jid) throw new Error(`${this.kind} is not online`);
    return jid;
  }

  get online(): boolean {
    return this.entity.status === "online";
  }

  /** Starts and waits for the first session; retries with back-off until the timeout. */
  async #start(timeoutMs: number): Promise<void> {
    const online = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label}: not online after ${timeoutMs} ms (${this.entity.options.service})`));
      }, timeoutMs);
      const onOnline = () => { cleanup(); resolve(); };
      const onFatal = (err: Error) => { cleanup(); reject(err); };
      const cleanup = () => { clearTimeout(timer); this.off("online", onOnline); this.off("fatal", onFatal); };
      this.on("online", onOnline);
      this.on("fatal", onFatal);
    });
    // A refused first attempt is retried by the reconnect module; `online` above waits for it.
    this.entity.start().catch(() => undefined);
    try {
      await online;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Waits for the next fresh session (after a drop), e.g. in tests. */
  nextOnline(timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.off("online", onOnline); reject(new Error(`${this.label}: not back online in ${timeoutMs} ms`)); }, timeoutMs);
      const onOnline = (jid: string) => { clearTimeout(timer); resolve(jid); };
      this.once("online", onOnline);
    });
  }

  async send(el: Element): Promise<void> {
    await this.entity.send(el);
  }

  /**
   * Sends an IQ and resolves with the result's payload (its first child element, if any).
   * A refusal rejects with XmppError carrying the condition and text.
   */
  async iq(to: string, type: "get" | "set", payload: Element, timeoutMs = 15_000): Promise<Element | undefined> {
    try {
      const result = await this.entity.iqCaller.request(createElement("iq", { type, to }, payload), timeoutMs);
      return result.getChildElements()[0];
    } catch (err) {
      throw toXmppError(err, to);
    }
  }

  /**
   * Answers IQs of one type whose child is <name xmlns=ns>. A handler that throws XmppError
   * refuses with that condition; any other exception becomes internal-server-error (logged,
   * never shown to the peer).
   */
  handleIq(type: "get" | "set", ns: string, name: string, handler: IqHandler): void {
    this.entity.iqCallee[type](ns, name, async (ctx) => {
      try {
        const reply = await handler({
          from: ctx.stanza.attrs.from ?? "",
          to: ctx.stanza.attrs.to ?? "",
          id: ctx.stanza.attrs.id ?? "",
          element: ctx.element,
          stanza: ctx.stanza,
        });
        return reply ?? true;
      } catch (err) {
        if (err instanceof XmppError) return err.toElement();
        log.error("iq handler failed", { ns, name, error: (err as Error).stack });
        return new XmppError("internal-server-error").toElement();
      }
    });
  }

  /** Subscribes to incoming stanzas of one kind; returns the unsubscribe function. */
  onStanza(name: "message" | "presence" | "iq", handler: (el: Element) => void): () => void {
    const listener = (el: Element) => {
      if (el.name === name) handler(el);
    };
    this.on("stanza", listener);
    return () => this.off("stanza", listener);
  }

  /** Ends the session and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.entity.reconnect.stop();
    try {
      await this.entity.stop();
    } catch {
      // Already disconnected: nothing to close.
    }
  }
}
