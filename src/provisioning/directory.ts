// The registry's store seen as provisioning's ThingDirectory (same process, same database).
import type { Thing, ThingStore } from "../registry/store.ts";
import type { ThingDirectory } from "./component.ts";
import type { Device } from "./policy.ts";

const toDevice = (t: Thing): Device => ({
  jid: t.jid,
  owner: t.owner ?? undefined,
  tags: Object.fromEntries(t.tags.map((tag) => [tag.name, tag.value])),
});

export function registryDirectory(store: ThingStore): ThingDirectory {
  return {
    get: (jid) => {
      const thing = store.get(jid);
      return thing && toDevice(thing);
    },
    // No filter: every claimed thing.
    claimed: () => store.matching([]).map(toDevice),
    events: store.events,
  };
}
