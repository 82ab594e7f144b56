// Kills Prosody mid-session and shows that a client and a component come back on their own,
// with back-off, and carry on. Uses a server of its own so the shared one stays up.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { TEST_SERVER } from "./fixtures.ts";
import { testServer } from "./harness.ts";
import { startServer, type RunningServer } from "../../src/server/prosody.ts";
import { keepPresence, onPresence, XmppConnection, type Presence } from "../../src/xmpp/index.ts";

const NS_TEST = "urn:flexfed:test:0";

describe("reconnect after the server dies", () => {
  let dataDir: string;
  let server: RunningServer;
  let device: XmppConnection, app: XmppConnection;
  // Signed by the suite's CA, which this process already trusts.
  const spec = () => ({ server: TEST_SERVER, dataDir, components: ["app", "late"], accounts: ["device"], smacksHibernation: 2, caDir: path.dirname(testServer().info.caCert) });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-reconnect-"));
    server = await startServer(spec());
    const fast = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
    [device, app] = await Promise.all([
      XmppConnection.client({ ...accountOptions(server, "device", "dev"), backoff: fast }),
      XmppConnection.component({ ...componentOptions(server, "app"), backoff: fast }),
    ]);
    device.handleIq("get", NS_TEST, "ping", () => x("pong", { xmlns: NS_TEST }));
  });
  afterAll(async () => {
    await Promise.all([device?.stop(), app?.stop()]);
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("resumes the IQ path and directed presence once Prosody is back", async () => {
    const presences: Presence[] = [];
    onPresence(app, (p) => presences.push(p));
    keepPresence(device, { to: [app.jid] });
    // A request sent while Prosody still settles the fresh session can go unanswered (seen once on a loaded CI machine): each try waits 3 s.
    const ping = () => app.iq(device.jid, "get", x("ping", { xmlns: NS_TEST }), 3_000).then((el) => el?.getName(), (e: Error) => e.message);
    await expect.poll(ping, { timeout: 20_000 }).toBe("pong");

    const deviceBack = device.nextOnline(20_000);
    const appBack = app.nextOnline(20_000);
    const ports = server.info.ports;
    await server.stop();
    expect(device.online).toBe(false);
    // Stay down for a few retry periods, so the back-off path runs, then restart on the same ports.
    await new Promise((r) => setTimeout(r, 1_500));
    server = await startServer({ ...spec(), ports });

    await Promise.all([deviceBack, appBack]);
    // The IQ path resumes; a session Prosody drops once more right after login (xmpp.js's stream
    // management can miscount acks then) comes back again by itself.
    await expect.poll(ping, { timeout: 20_000 }).toBe("pong");
    // keepPresence re-announced the device to the app on its new session.
    // If the device was back before the app, its announcement bounced and is sent again with back-off.
    await expect.poll(() => presences.filter((p) => p.from === device.jid && p.type === "available").length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  });

  it("announces itself again to a component that bounced its presence because it was not connected yet", async () => {
    const late = `late.${server.info.domain}`;
    const announced = keepPresence(device, { to: [late] });
    try {
      await new Promise((r) => setTimeout(r, 300)); // the first announcement bounces: nobody is connected as late.<domain>
      const component = await XmppConnection.component(componentOptions(server, "late"));
      try {
        const seen = new Promise<Presence>((resolve) => onPresence(component, (p) => p.from === device.jid && resolve(p)));
        expect((await seen).type).toBe("available");
      } finally {
        await component.stop();
      }
    } finally {
      announced.stop();
    }
  });

  it("grows the reconnect delay with each failed attempt", async () => {
    const delays: number[] = [];
    const ports = server.info.ports;
    const back = device.nextOnline(30_000);
    device.entity.reconnect.on("reconnecting", () => delays.push(device.entity.reconnect.delay));
    await server.stop();
    await new Promise((r) => setTimeout(r, 2_500));
    server = await startServer({ ...spec(), ports });
    await back;
    expect(delays.length).toBeGreaterThanOrEqual(3);
    // Delays are drawn with jitter from [ceiling/2, ceiling] where the ceiling doubles up to 1 s.
    expect(Math.max(...delays.slice(2))).toBeGreaterThan(Math.min(...delays.slice(0, 1)));
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
  });
});
