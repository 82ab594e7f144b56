// The provisioning component (XEP-0324) at provisioning.<domain>: answers devices' isFriend,
// canRead and canControl from owner policies, takes owners' policy commands, owns the devices'
// pubsub nodes, and tells devices to clear their decision caches when policies change.
import type { EventEmitter } from "node:events";
import { createElement as x } from "ltx/lib/ltx.js";
import { logger } from "../log/index.ts";
import { bare, onPresence, XmppError, type XmppConnection } from "../xmpp/index.ts";
import { NodeOwner, ridOf } from "./nodes.ts";
import { decide, targetMatches, type Device, type Policy } from "./policy.ts";
import {
  accessResponse, friendResponse, NS_POLICY, NS_PROVISIONING, parseAccessRequest, parseFriendRequest, parsePolicy,
  parsePolicyId, policyElement,
} from "./protocol.ts";
import { sharedAffiliations, sharedNodes, type SharedPublishers } from "./shared-nodes.ts";
import type { PolicyStore } from "./store.ts";

const log = logger("provisioning");

/** What provisioning needs of the thing registry (src/registry satisfies it through an adapter). */
export interface ThingDirectory {
  /** A registered thing by bare JID; `owner` is undefined while it is unclaimed. */
  get(jid: string): Device | undefined;
  /** Every claimed thing. */
  claimed(): Device[];
  /** Emits "claimed", "updated", "removed", "disowned", "unregistered" with `{ jid }`. */
  events: EventEmitter;
}

export interface ProvisioningOptions {
  conn: XmppConnection;
  store: PolicyStore;
  directory: ThingDirectory;
  services: { pubsub: string; telemetry: string };
  /** Entities every device may befriend (the domain's registry). */
  trusted?: string[];
  /** Who publishes on the shared nodes grid/<feeder> and alarms/<site> (none by default). */
  publishers?: SharedPublishers;
}

export interface Provisioning {
  /** Resolves when every queued node operation has finished (tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startProvisioning(opts: ProvisioningOptions): Provisioning {
  const { conn, store, directory } = opts;
  const nodes = new NodeOwner(conn, opts.services);
  const publishers = opts.publishers ?? { grid: [], alarms: [] };
  const trusted = new Set([conn.jid, ...(opts.trusted ?? [])].map((j) => j.toLowerCase()));
  /** Devices online now: bare JID -> full JID (from their directed presence). */
  const online = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();

  /** Node operations run one after another, so a claim and a policy change never interleave. */
  const enqueue = (what: string, job: () => Promise<void>) => {
    queue = queue.then(job).catch((err: unknown) => log.error(`${what} failed`, { error: (err as Error).message }));
    return queue;
  };

  /** Everyone who may need membership: entities that announced themselves and JIDs named by policies. */
  const readers = () => {
    const named = store.all().flatMap((p) => (p.subject.kind === "jid" ? [p.subject.jid] : []));
    return [...new Set([...store.knownEntities(), ...named])];
  };

  const deviceOf = (jid: string): Device | undefined => directory.get(bare(jid).toLowerCase());

  async function clearCache(device: string): Promise<void> {
    const full = online.get(device);
    if (!full) { store.oweClearCache(device); return; }
    try {
      await conn.iq(full, "set", x("clearCache", { xmlns: NS_PROVISIONING }));
      store.paidClearCache(device);
    } catch (err) {
      store.oweClearCache(device);
      log.warn("clearCache not acknowledged", { device, error: (err as Error).message });
    }
  }

  /** After a policy or tag change: fix the affected devices' affiliations and clear their caches. */
  function refresh(devices: Device[]) {
    return enqueue("refresh", async () => {
      const policies = store.all();
      for (const device of devices) {
        const rid = store.deviceRid(device.jid);
        if (rid) await nodes.sync(device, rid, policies, readers());
        await clearCache(device.jid);
      }
      await shareNodes();
    });
  }

  function adopt(jid: string) {
    return enqueue(`nodes for ${jid}`, async () => {
      const device = deviceOf(jid);
      if (!device?.owner) return;
      const rid = ridOf(device);
      await nodes.ensure(device, rid, store.all(), readers());
      store.setDeviceNodes(device.jid, rid);
      log.info("device nodes ready", { device: device.jid, rid });
      await joinSharedNodes(device);
    });
  }

  /** Creates grid/<feeder> and alarms/<site> nodes and sets who publishes and reads them. */
  async function shareNodes(): Promise<void> {
    const policies = store.all();
    for (const [node, { kind, devices }] of sharedNodes(directory.claimed())) {
      await nodes.shared(node, sharedAffiliations(kind, devices, policies, readers(), publishers));
    }
  }

  /**
   * A newly claimed device's shared nodes get what it brings (its owner, its readers): a device
   * joining only adds members, so the members there for other devices stay without reading every
   * claimed thing again (claims of 10 000 devices of one site cost O(N²) that way: bench/scale.ts).
   */
  async function joinSharedNodes(device: Device): Promise<void> {
    const policies = store.all();
    for (const [node, { kind, devices }] of sharedNodes([device])) {
      await nodes.shared(node, sharedAffiliations(kind, devices, policies, readers(), publishers), { add: true });
    }
  }

  function release(jid: string) {
    return enqueue(`release ${jid}`, async () => {
      const device = bare(jid).toLowerCase();
      const rid = store.deviceRid(device);
      if (!rid) return;
      await nodes.remove(rid);
      store.dropDeviceNodes(device);
      store.paidClearCache(device);
      log.info("device nodes removed", { device, rid });
    });
  }

  // ---- XEP-0324: questions from devices --------------------------------------------------------
  conn.handleIq("get", NS_PROVISIONING, "isFriend", ({ from, element }) => {
    const jid = parseFriendRequest(element);
    const device = deviceOf(from);
    if (!device) return friendResponse(jid, false);
    const friend = trusted.has(bare(jid).toLowerCase()) ||
      (["read", "control"] as const).some((action) => decide(store.all(), { requester: jid, device, action }).allowed);
    return friendResponse(jid, friend);
  });

  for (const [request, response, itemName, action] of [
    ["canRead", "canReadResponse", "field", "read"],
    ["canControl", "canControlResponse", "parameter", "control"],
  ] as const) {
    conn.handleIq("get", NS_PROVISIONING, request, ({ from, element }) => {
      const req = parseAccessRequest(element, itemName);
      const device = deviceOf(from);
      const decision = device
        ? decide(store.all(), { requester: req.jid, device, action, nodes: req.nodes, items: req.items })
        : { allowed: false, reason: "not a registered, claimed device" };
      log.debug(request, { device: bare(from), requester: req.jid, ...decision });
      return accessResponse(response, itemName, req, decision);
    });
  }

  // ---- flexfed policy extension: commands from owners ---------------------------------------------
  const affectedBy = (policy: Policy) => directory.claimed().filter((d) => targetMatches(policy, d));

  conn.handleIq("set", NS_POLICY, "policy", ({ from, element }) => {
    const owner = bare(from).toLowerCase();
    const input = parsePolicy(element, owner);
    if (input.target.kind === "device") {
      const device = deviceOf(input.target.jid);
      if (!device || bare(device.owner ?? "").toLowerCase() !== owner) {
        throw new XmppError("forbidden", `${input.target.jid} is not a device you own`);
      }
    }
    const policy = store.add(input);
    void refresh(affectedBy(policy));
    return policyElement(policy);
  });

  conn.handleIq("get", NS_POLICY, "list", ({ from }) => {
    const el = x("policies", { xmlns: NS_POLICY });
    for (const p of store.ofOwner(bare(from))) el.append(policyElement(p));
    return el;
  });

  conn.handleIq("set", NS_POLICY, "revoke", ({ from, element }) => {
    const id = parsePolicyId(element);
    const removed = store.revoke(bare(from), id);
    if (!removed) throw new XmppError("item-not-found", `you have no policy ${id}`);
    void refresh(affectedBy(removed));
  });

  // ---- presence: devices come and go, apps announce themselves -------------------------------
  const offPresence = onPresence(conn, (p) => {
    const who = bare(p.from).toLowerCase();
    if (p.type === "unavailable") { online.delete(who); return; }
    if (p.type !== "available") return;
    if (deviceOf(who)) {
      online.set(who, p.from);
      if (store.owesClearCache(who)) void enqueue(`clearCache ${who}`, () => clearCache(who));
    } else if (store.know(who)) {
      log.info("new reader announced itself", { jid: who });
      void enqueue("new reader", async () => {
        const policies = store.all();
        for (const { device, rid } of store.devicesWithNodes()) {
          const d = deviceOf(device);
          if (d) await nodes.sync(d, rid, policies, readers());
        }
        await shareNodes();
      });
    }
  });

  // ---- registry events ---------------------------------------------------------------------
  const onClaimed = ({ jid }: { jid: string }) => void adopt(jid);
  const onUpdated = ({ jid }: { jid: string }) => { const d = deviceOf(jid); if (d?.owner) void refresh([d]); };
  const onGone = ({ jid }: { jid: string }) => void release(jid);
  directory.events.on("claimed", onClaimed);
  directory.events.on("updated", onUpdated);
  for (const ev of ["removed", "disowned", "unregistered"]) directory.events.on(ev, onGone);

  // Reconcile with what happened while we were down: adopt claimed devices without nodes,
  // release nodes of devices that are no longer claimed.
  const claimed = new Set(directory.claimed().map((d) => d.jid));
  for (const d of claimed) if (!store.deviceRid(d)) void adopt(d);
  for (const { device } of store.devicesWithNodes()) if (!claimed.has(device)) void release(device);
  void enqueue("shared nodes", () => shareNodes());

  return {
    idle: async () => { for (let q = queue; ; q = queue) { await q; if (q === queue) return; } },
    stop: async () => {
      offPresence();
      directory.events.off("claimed", onClaimed);
      directory.events.off("updated", onUpdated);
      for (const ev of ["removed", "disowned", "unregistered"]) directory.events.off(ev, onGone);
      await queue;
    },
  };
}
