// Minimal typings for @xmpp/client 0.14 and @xmpp/component 0.13.1 (neither ships types).
// Only what src/xmpp uses; everything else goes through src/xmpp, never xmpp.js directly.
interface XmppjsEntity {
  status: string;
  jid: { toString(): string; local: string; domain: string; resource: string } | null;
  socket: { socket?: import("node:net").Socket | null } | null;
  options: { service?: string; domain?: string };
  reconnect: { delay: number; stop(): void; start(): void; on(ev: string, cb: (...a: any[]) => void): void };
  iqCaller: { request(stanza: import("ltx/lib/ltx.js").Element, timeoutMs?: number): Promise<import("ltx/lib/ltx.js").Element> };
  iqCallee: {
    get(ns: string, name: string, handler: (ctx: XmppjsIqContext) => unknown): void;
    set(ns: string, name: string, handler: (ctx: XmppjsIqContext) => unknown): void;
  };
  middleware: { use(fn: (ctx: any, next: () => Promise<unknown>) => unknown): void };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: import("ltx/lib/ltx.js").Element): Promise<void>;
  sendMany?(els: import("ltx/lib/ltx.js").Element[]): Promise<void>;
  on(ev: string, cb: (...args: any[]) => void): this;
  once(ev: string, cb: (...args: any[]) => void): this;
  off(ev: string, cb: (...args: any[]) => void): this;
  removeListener(ev: string, cb: (...args: any[]) => void): this;
  streamManagement?: { id: string; enabled: boolean };
}
interface XmppjsIqContext {
  element: import("ltx/lib/ltx.js").Element;
  stanza: import("ltx/lib/ltx.js").Element;
  from: { toString(): string; bare(): { toString(): string } } | null;
}

declare module "@xmpp/client" {
  export function client(opts: {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
  }): XmppjsEntity;
  export const xml: typeof import("ltx/lib/ltx.js").createElement;
}

declare module "@xmpp/component" {
  const pkg: {
    component(opts: { service: string; domain: string; password: string }): XmppjsEntity;
    xml: typeof import("ltx/lib/ltx.js").createElement;
  };
  export default pkg;
}

declare module "@xmpp/error" {
  export default class XMPPError extends Error {
    condition: string;
    text: string;
    application?: import("ltx/lib/ltx.js").Element;
    element?: import("ltx/lib/ltx.js").Element;
  }
}
