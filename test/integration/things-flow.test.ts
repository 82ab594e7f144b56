// The whole SUNSEED flow over XMPP: a device registers with the registry, its owner claims it,
// provisioning creates its nodes, the owner grants an app read access, the app follows the device.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { onPubsubEvent, PubsubClient, sendPresence, XmppConnection, XmppError, type PubsubEvent } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const NS_DISCOVERY = "urn:xmpp:iot:discovery";
const tags = () => [x("str", { name: "SITE", value: "home-7" }), x("str", { name: "EFI", value: "storage" }), x("str", { name: "KEY", value: "s3cr3t" })];

describe("register, claim, provision, grant, follow", () => {
  let server: OwnServer, services: ThingServices;
  let device: XmppConnection, owner: XmppConnection, app: XmppConnection, outsider: XmppConnection;

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: ["bat7", "owner", "outsider"] });
    services = await startThingServices(server);
    [device, owner, app, outsider] = await Promise.all([server.account("bat7", "rm"), server.account("owner"), server.component("app"), server.account("outsider")]);
    device.handleIq("set", NS_DISCOVERY, "claimed", () => undefined);
  });
  afterAll(async () => {
    await Promise.all([device, owner, app, outsider].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("lets only the holder of the exact tags claim the device, then gives it nodes", async () => {
    await sendPresence(device, { to: services.registryJid });
    await device.iq(services.registryJid, "set", x("register", { xmlns: NS_DISCOVERY }, ...tags()));
    const wrong = await outsider.iq(services.registryJid, "set", x("mine", { xmlns: NS_DISCOVERY }, x("str", { name: "SITE", value: "home-7" }))).catch((e: unknown) => e);
    expect((wrong as XmppError).condition).toBe("item-not-found");
    const claimed = await owner.iq(services.registryJid, "set", x("mine", { xmlns: NS_DISCOVERY }, ...tags()));
    expect(claimed?.attrs.jid).toBe(`bat7@${server.info.domain}`);
    await expect.poll(() => services.policies.deviceRid(`bat7@${server.info.domain}`)).toBe("bat7");
    await services.provisioning.idle();
    await expect(new PubsubClient(device, server.info.pubsub).publish("efi/bat7", x("StorageStatus", { xmlns: "http://www.flexiblepower.org/efi-2" }), "StorageStatus"))
      .resolves.toBe("StorageStatus");
  });

  it("keeps the app out until the owner allows it, then delivers the device's publications", async () => {
    const ps = new PubsubClient(app, server.info.pubsub);
    expect(((await ps.subscribe("efi/bat7").catch((e: unknown) => e)) as XmppError).condition).toBe("forbidden");
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-7" })));
    await services.provisioning.idle();
    await ps.subscribe("efi/bat7");
    const got = new Promise<PubsubEvent>((resolve) => onPubsubEvent(app, (e) => e.node === "efi/bat7" && resolve(e)));
    await new PubsubClient(device, server.info.pubsub).publish("efi/bat7", x("Measurement", { xmlns: "http://www.flexiblepower.org/efi-2" }), "Measurement");
    expect((await got).items[0]?.id).toBe("Measurement");
    // The outsider is still refused.
    expect(((await new PubsubClient(outsider, server.info.pubsub).items("efi/bat7").catch((e: unknown) => e)) as XmppError).condition).toBe("forbidden");
  });

  it("removes the nodes when the owner removes the device from the registry", async () => {
    device.handleIq("set", NS_DISCOVERY, "removed", () => undefined);
    await owner.iq(services.registryJid, "set", x("remove", { xmlns: NS_DISCOVERY, jid: `bat7@${server.info.domain}` }));
    await expect.poll(() => services.policies.deviceRid(`bat7@${server.info.domain}`)).toBeUndefined();
    const gone = await new PubsubClient(device, server.info.pubsub).publish("efi/bat7", x("StorageStatus", { xmlns: "http://www.flexiblepower.org/efi-2" })).catch((e: unknown) => e);
    expect((gone as XmppError).condition).toMatch(/item-not-found|forbidden/);
  });
});
