// Connection failures that no retry can cure end connect() at once with a clear reason,
// instead of xmpp.js's endless 1 s retries.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { startServer } from "../../src/server/prosody.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";
import { TEST_SERVER } from "./fixtures.ts";
import { testServer } from "./harness.ts";

describe("connect() refusals", () => {
  it("rejects a wrong password with not-authorized, without retrying for the whole timeout", async () => {
    const t0 = Date.now();
    const err = await XmppConnection.client({ ...accountOptions(testServer(), "smoke-outsider"), password: "wrong-password-123" }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/not-authorized/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("rejects a component with a wrong secret", async () => {
    const err = await XmppConnection.component({ ...componentOptions(testServer(), "app2"), password: "not-the-secret-0000" }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/not-authorized/);
  });

  it("names NODE_EXTRA_CA_CERTS when the server's certificate comes from a CA this process does not trust", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-untrusted-"));
    const server = await startServer({ server: TEST_SERVER, dataDir, components: [], accounts: ["device"] });
    try {
      const err = await XmppConnection.client(accountOptions(server, "device")).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/not trusted.*NODE_EXTRA_CA_CERTS/);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
