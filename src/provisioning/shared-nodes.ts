// Nodes shared by the devices of a feeder or a site (DESIGN.md §4): grid/<feeder> carries the grid
// operator's signals, alarms/<site> the monitor's alarms. Provisioning owns them like the devices'
// own nodes: it creates one as soon as a claimed device names the feeder or site, makes the
// configured publishers publishers, and makes members of the devices' owners and of every entity
// allowed to read at least one of those devices.
import { bare, type Affiliation } from "../xmpp/index.ts";
import { decide, type Device, type Policy } from "./policy.ts";

export interface SharedPublishers {
  /** Who publishes grid/<feeder> signals (the grid operator's JIDs). */
  grid: string[];
  /** Who publishes alarms/<site> (the monitor app's JID). */
  alarms: string[];
}

const KINDS = [["grid", "FEEDER"], ["alarms", "SITE"]] as const;

/** The shared nodes the claimed devices call for, each with the devices behind it. */
export function sharedNodes(devices: readonly Device[]): Map<string, { kind: keyof SharedPublishers; devices: Device[] }> {
  const out = new Map<string, { kind: keyof SharedPublishers; devices: Device[] }>();
  for (const d of devices) {
    for (const [kind, tag] of KINDS) {
      const value = d.tags[tag];
      if (typeof value !== "string" || !value) continue;
      const node = `${kind}/${value}`;
      const entry = out.get(node) ?? { kind, devices: [] };
      entry.devices.push(d);
      out.set(node, entry);
    }
  }
  return out;
}

/** Who is what on one shared node. */
export function sharedAffiliations(
  kind: keyof SharedPublishers, devices: readonly Device[], policies: Policy[], readers: readonly string[], publishers: SharedPublishers,
): Record<string, Affiliation> {
  const wanted: Record<string, Affiliation> = {};
  for (const d of devices) if (d.owner) wanted[bare(d.owner).toLowerCase()] = "member";
  for (const reader of readers) {
    if (devices.some((device) => decide(policies, { requester: reader, device, action: "read" }).allowed)) wanted[bare(reader).toLowerCase()] = "member";
  }
  for (const p of publishers[kind]) wanted[bare(p).toLowerCase()] = "publisher";
  return wanted;
}
