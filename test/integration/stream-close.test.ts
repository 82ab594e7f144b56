// A socket that outlives xmpp.js's knowledge of it must not throw from its events: bytes after the
// server's </stream:stream> (xmpp.js detaches its parser but keeps reading) ended a bench process
// with all its devices; a reset after it gave up waiting for the close was an uncaught ECONNRESET.
import type { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { afterAll, expect, it } from "vitest";
import { accountOptions } from "../../src/server/endpoints.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";
import { testServer } from "./harness.ts";

let conn: XmppConnection | undefined;
afterAll(() => conn?.stop());

it("drops what arrives after the stream closed instead of throwing from the socket", async () => {
  conn = await XmppConnection.client(accountOptions(testServer(), "smoke-outsider", "stream-close"));
  const entity = conn.entity as unknown as { _detachParser(): void; socket: { write(s: string): void; once(e: "data", f: () => void): void } };
  const thrown: unknown[] = [];
  let answered!: () => void;
  const arrived = new Promise<void>((resolve) => { answered = resolve; });
  const onUncaught = (err: unknown) => { thrown.push(err); answered(); };
  process.on("uncaughtException", onUncaught);
  try {
    // As when the server's </stream:stream> has been parsed: no parser, the socket still open.
    entity._detachParser();
    entity.socket.once("data", answered);
    entity.socket.write("<iq type='get' id='after-close'><ping xmlns='urn:xmpp:ping'/></iq>");
    await arrived;
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off("uncaughtException", onUncaught);
  }
  expect(thrown).toEqual([]);
});

it("destroys a socket it lets go of while it is open, and an error on it throws nowhere", async () => {
  const c = await XmppConnection.client(accountOptions(testServer(), "smoke-outsider", "socket-detach"));
  // A STARTTLS client's socket is xmpp.js's wrapper around node's TLS socket.
  const entity = c.entity as unknown as { _detachSocket(): void; socket: (EventEmitter & { socket: Socket }) | null };
  const socket = entity.socket!;
  const thrown: unknown[] = [];
  const onUncaught = (err: unknown) => thrown.push(err);
  process.on("uncaughtException", onUncaught);
  try {
    // As when xmpp.js gives up waiting for the server to close the socket: listeners gone, socket open.
    entity._detachSocket();
    expect(socket.socket.destroyed).toBe(true);
    socket.emit("error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off("uncaughtException", onUncaught);
    await c.stop().catch(() => undefined);
  }
  expect(thrown).toEqual([]);
});
