// The SUNSEED flow: provisioning (a server admin) owns every device's pubsub nodes, makes the
// device their publisher and every entity allowed to read a member (DESIGN.md §3).
import { bare, PubsubClient, XmppError, type Affiliation, type NodeConfig, type XmppConnection } from "../xmpp/index.ts";
import { decide, type Device, type Policy } from "./policy.ts";

/** Control spaces: the latest message of each kind, kept across restarts (DESIGN.md §4). */
export const EFI_NODE_CONFIG: NodeConfig = { accessModel: "whitelist", persistItems: true, maxItems: 64, publishModel: "publishers", notifyRetract: true };
/** grid/<feeder> and alarms/<site>: current signals and alarms, item id = signal or alarm id. */
export const SHARED_NODE_CONFIG: NodeConfig = { accessModel: "whitelist", persistItems: true, maxItems: 256, publishModel: "publishers", notifyRetract: true };
/** Telemetry: a window of recent packs; the store behind it keeps items in memory. */
export const TELEMETRY_NODE_CONFIG: NodeConfig = { accessModel: "whitelist", persistItems: true, maxItems: 256, publishModel: "publishers" };

export interface DeviceNodes {
  efi: string;
  telemetry: string;
}

/** A device's efiResourceId: its RID tag, else its account name (DESIGN.md §2). */
export function ridOf(device: Device): string {
  const rid = device.tags.RID;
  return typeof rid === "string" && rid ? rid : bare(device.jid).split("@")[0]!;
}

export const nodesOf = (rid: string): DeviceNodes => ({ efi: `efi/${rid}`, telemetry: `telemetry/${rid}` });

export class NodeOwner {
  readonly #efi: PubsubClient;
  readonly #telemetry: PubsubClient;

  constructor(conn: XmppConnection, services: { pubsub: string; telemetry: string }) {
    this.#efi = new PubsubClient(conn, services.pubsub);
    this.#telemetry = new PubsubClient(conn, services.telemetry);
  }

  #services(rid: string): [PubsubClient, string, NodeConfig][] {
    const n = nodesOf(rid);
    return [[this.#efi, n.efi, EFI_NODE_CONFIG], [this.#telemetry, n.telemetry, TELEMETRY_NODE_CONFIG]];
  }

  /** Creates the device's nodes (an existing node is kept) and sets their affiliations. */
  async ensure(device: Device, rid: string, policies: Policy[], readers: string[]): Promise<void> {
    for (const [ps, node, config] of this.#services(rid)) await create(ps, node, config);
    await this.sync(device, rid, policies, readers);
  }

  /**
   * Brings each node's affiliations to what the policies say: the device publishes, its owner
   * and every reader allowed that node are members, everyone else is removed.
   */
  async sync(device: Device, rid: string, policies: Policy[], readers: string[]): Promise<void> {
    for (const [ps, node] of this.#services(rid)) {
      const wanted: Record<string, Affiliation> = { [bare(device.jid)]: "publisher" };
      if (device.owner) wanted[bare(device.owner)] = "member";
      for (const reader of readers) {
        const d = decide(policies, { requester: reader, device, action: "read", nodes: [node] });
        if (d.allowed && !wanted[reader]) wanted[reader] = "member";
      }
      await affiliate(ps, node, wanted);
    }
  }

  /**
   * Creates a node shared by several devices on pubsub.<domain> (an existing one is kept) with these
   * affiliations; with `add`, the others it has are kept.
   */
  async shared(node: string, wanted: Record<string, Affiliation>, opts: { add?: boolean } = {}): Promise<void> {
    await create(this.#efi, node, SHARED_NODE_CONFIG);
    await affiliate(this.#efi, node, wanted, opts.add);
  }

  /** Deletes the device's nodes (a node already gone is fine). */
  async remove(rid: string): Promise<void> {
    for (const [ps, node] of this.#services(rid)) {
      await ps.deleteNode(node).catch((err: unknown) => {
        if (!(err instanceof XmppError && err.condition === "item-not-found")) throw err;
      });
    }
  }
}

/**
 * Brings a node's affiliations to `wanted`: owners (this component, server admins) keep theirs,
 * everyone else not wanted goes (unless `add`: then only `wanted` is set).
 */
async function affiliate(ps: PubsubClient, node: string, wanted: Record<string, Affiliation>, add = false): Promise<void> {
  const current = await ps.getAffiliations(node);
  const changes: Record<string, Affiliation> = {};
  for (const [jid, aff] of Object.entries(wanted)) if (current[jid] !== aff) changes[jid] = aff;
  if (!add) for (const [jid, aff] of Object.entries(current)) if (!wanted[jid] && aff !== "owner") changes[jid] = "none";
  // Cancel the subscriptions of whoever loses access first: Prosody 0.12.3 leaves them in place
  // (and answers forbidden) when a subscriber's affiliation is removed, so it would go on
  // receiving notifications.
  const losing = new Set(Object.entries(changes).filter(([, a]) => a === "none").map(([jid]) => jid));
  if (losing.size) {
    const cancel: Record<string, "none"> = {};
    for (const sub of Object.keys(await ps.getSubscriptions(node))) if (losing.has(bare(sub))) cancel[sub] = "none";
    if (Object.keys(cancel).length) await ps.setSubscriptions(node, cancel);
  }
  if (Object.keys(changes).length) {
    await ps.setAffiliations(node, changes).catch((err: Error) => {
      throw new Error(`affiliations ${JSON.stringify(changes)} on ${ps.service} ${node}: ${err.message}`);
    });
  }
}

/** Creates a node; one that exists already is kept as it is. */
async function create(ps: PubsubClient, node: string, config: NodeConfig): Promise<void> {
  await ps.createNode(node, config).catch((err: unknown) => {
    if (!(err instanceof XmppError && err.condition === "conflict")) throw err;
  });
}
