// Bytes that reach a client after its stream was closed (xmpp.js detaches its parser on the
// server's </stream:stream> but keeps reading the socket) must not throw from the socket's data
// event: that uncaught exception ended a bench process with all its devices.
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
