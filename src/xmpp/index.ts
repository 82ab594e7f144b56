export { XmppConnection, type ClientOptions, type ComponentOptions, type IqHandler, type IqRequest } from "./connection.ts";
export { XmppError, toXmppError, NS_STANZAS, type ErrorType } from "./errors.ts";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "../util/backoff.ts";
export * from "./pubsub.ts";
export * from "./presence.ts";
export { parseStanza } from "./parse.ts";
