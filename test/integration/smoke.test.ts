// End to end against the real Prosody: node ownership by an admin component, publish and
// notification, a peer-to-peer IQ to the device's full JID, and refusal of an outsider.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XmppConnection, XmppError, PubsubClient, onPubsubEvent, bare, type PubsubEvent } from "../../src/xmpp/index.ts";
import { connectAccount, connectComponent, testServer } from "./harness.ts";

const NS_TEST = "urn:flexfed:test:0";

describe("smoke: registry component, device, app, outsider on a real Prosody", () => {
  let registry: XmppConnection, device: XmppConnection, app: XmppConnection, outsider: XmppConnection;
  const node = `efi/smoke-${Date.now()}`;
  const { info } = testServer();

  beforeAll(async () => {
    [registry, device, app, outsider] = await Promise.all([
      connectComponent("registry"),
      connectAccount("smoke-device", "dev"),
      connectComponent("app"),
      connectAccount("smoke-outsider"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([registry, device, app, outsider].map((c) => c?.stop()));
  });

  it("logs the device in over TLS and binds a full JID", () => {
    expect(device.jid).toBe(`smoke-device@${info.domain}/dev`);
    const socket = (device.entity.socket as unknown as { socket?: { encrypted?: boolean } }).socket;
    expect(socket?.encrypted).toBe(true);
  });

  it("lets the admin component own a whitelist node with a publisher and a member", async () => {
    const ps = new PubsubClient(registry, info.pubsub);
    await ps.createNode(node, { accessModel: "whitelist", persistItems: true, maxItems: 32 });
    await ps.setAffiliations(node, { [bare(device.jid)]: "publisher", [app.jid]: "member" });
    const affiliations = await ps.getAffiliations(node);
    expect(affiliations[bare(device.jid)]).toBe("publisher");
    expect(affiliations[app.jid]).toBe("member");
  });

  it("refuses node creation by a device (only admins create nodes)", async () => {
    const err = await new PubsubClient(device, info.pubsub).createNode(`efi/rogue-${Date.now()}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XmppError);
    expect((err as XmppError).condition).toBe("forbidden");
  });

  it("delivers the device's publication to the subscribed app", async () => {
    await new PubsubClient(app, info.pubsub).subscribe(node);
    const received = new Promise<PubsubEvent>((resolve) => {
      const off = onPubsubEvent(app, (e) => { if (e.node === node) { off(); resolve(e); } });
    });
    const id = await new PubsubClient(device, info.pubsub).publish(node, x("status", { xmlns: NS_TEST }, "charging"), "Status");
    expect(id).toBe("Status");
    const event = await received;
    expect(event.service).toBe(info.pubsub);
    expect(event.items.map((i) => i.id)).toEqual(["Status"]);
    expect(event.items[0]?.payload?.getText()).toBe("charging");
    // The item stays on the node, so a late subscriber reads the current state.
    const items = await new PubsubClient(app, info.pubsub).items(node);
    expect(items.find((i) => i.id === "Status")?.payload?.getText()).toBe("charging");
  });

  it("carries an IQ set from the app to the device's full JID and back", async () => {
    device.handleIq("set", NS_TEST, "command", (req) => x("done", { xmlns: NS_TEST, by: req.from }, req.element.getText()));
    const reply = (await app.iq(device.jid, "set", x("command", { xmlns: NS_TEST }, "charge 2000"))) as Element;
    expect(reply.getName()).toBe("done");
    expect(reply.attrs.by).toBe(app.jid);
    expect(reply.getText()).toBe("charge 2000");
  });

  it("turns a handler's XmppError into the IQ error the caller sees", async () => {
    device.handleIq("set", NS_TEST, "refuse", () => { throw new XmppError("not-acceptable", "transition blocked by timer 2"); });
    const err = await app.iq(device.jid, "set", x("refuse", { xmlns: NS_TEST })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XmppError);
    expect((err as XmppError).condition).toBe("not-acceptable");
    expect((err as XmppError).text).toBe("transition blocked by timer 2");
  });

  it("answers an IQ to the device's bare JID from the server, not the device", async () => {
    const err = await app.iq(bare(device.jid), "set", x("command", { xmlns: NS_TEST })).catch((e: unknown) => e);
    expect((err as XmppError).condition).toBe("service-unavailable");
  });

  it("refuses an outsider's subscription and item read on the whitelist node", async () => {
    const ps = new PubsubClient(outsider, info.pubsub);
    const sub = await ps.subscribe(node).catch((e: unknown) => e);
    expect((sub as XmppError).condition).toBe("forbidden");
    const read = await ps.items(node).catch((e: unknown) => e);
    expect((read as XmppError).condition).toBe("forbidden");
  });
});
