import { createElement, type Element } from "ltx/lib/ltx.js";

export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export type ErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** RFC 6120 §8.3.3 conditions flexfed uses, with the error type each normally carries. */
const DEFAULT_TYPE: Record<string, ErrorType> = {
  "bad-request": "modify",
  conflict: "cancel",
  "feature-not-implemented": "cancel",
  forbidden: "auth",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "not-authorized": "auth",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  "remote-server-not-found": "cancel",
  "remote-server-timeout": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "unexpected-request": "wait",
};

/**
 * An XMPP stanza error: the defined condition, its human-readable text and, for protocols such as
 * pubsub, the application-specific condition (e.g. `precondition-not-met`).
 */
export class XmppError extends Error {
  readonly type: ErrorType;
  constructor(
    readonly condition: string,
    readonly text = "",
    opts: { type?: ErrorType; application?: Element } = {},
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "XmppError";
    this.type = opts.type ?? DEFAULT_TYPE[condition] ?? "cancel";
    this.application = opts.application;
  }
  readonly application: Element | undefined;

  /** The application condition's name, e.g. "closed-node", if any. */
  get applicationCondition(): string | undefined {
    return this.application?.getName();
  }

  static fromElement(error: Element): XmppError {
    const children = error.getChildElements();
    const condition = children.find((c) => c.getNS() === NS_STANZAS && c.getName() !== "text");
    const text = children.find((c) => c.getName() === "text" && c.getNS() === NS_STANZAS)?.getText() ?? "";
    const application = children.find((c) => c.getNS() !== NS_STANZAS);
    return new XmppError(condition?.getName() ?? "undefined-condition", text, {
      type: (error.attrs.type as ErrorType | undefined) ?? "cancel",
      application,
    });
  }

  /** The `<error/>` element for a reply stanza. */
  toElement(): Element {
    const el = createElement("error", { type: this.type }, createElement(this.condition, { xmlns: NS_STANZAS }));
    if (this.text) el.append(createElement("text", { xmlns: NS_STANZAS }, this.text));
    if (this.application) el.append(this.application);
    return el;
  }
}

/** Normalises what xmpp.js rejects with (StanzaError, TimeoutError, socket errors) into XmppError. */
export function toXmppError(err: unknown, context = ""): XmppError {
  if (err instanceof XmppError) return err;
  const e = err as { name?: string; condition?: string; text?: string; element?: Element; message?: string };
  if (e?.element && e.condition) return XmppError.fromElement(e.element);
  if (e?.condition) return new XmppError(e.condition, e.text ?? "");
  if (e?.name === "TimeoutError") return new XmppError("remote-server-timeout", `no reply${context ? ` from ${context}` : ""} in time`);
  return new XmppError("internal-server-error", e?.message ?? String(err));
}

/**
 * Servers refuse the same pubsub request in different words (xep/servers.md); flexfed sees one.
 * A subscription or read refused by a whitelist node: Prosody says `forbidden`, ejabberd says
 * `not-allowed` + `closed-node` (XEP-0060 §6.1.3.4, §6.5.9.4); both become `forbidden`, with the
 * server's application condition kept.
 */
export function pubsubError(err: XmppError): XmppError {
  if (err.condition === "not-allowed" && err.applicationCondition === "closed-node") {
    return new XmppError("forbidden", err.text, { application: err.application });
  }
  return err;
}
