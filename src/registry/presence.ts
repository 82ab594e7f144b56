// Which things are online, from the directed presence they send the registry (RFC 6121 §4.6):
// the server then also tells the registry when that resource goes offline. Memory only: after a
// restart of the registry a thing counts as offline until it announces itself again.
import type { Presence } from "../xmpp/index.ts";
import { bareJid } from "./parse.ts";

export class OnlineThings {
  /** Bare JID -> its available full JIDs, most recent last. */
  readonly #resources = new Map<string, string[]>();

  observe(p: Pick<Presence, "from" | "type">): void {
    if (!p.from.includes("/")) return;
    const bare = bareJid(p.from);
    const list = (this.#resources.get(bare) ?? []).filter((r) => r !== p.from);
    if (p.type === "available") list.push(p.from);
    else if (p.type !== "unavailable") return;
    if (list.length) this.#resources.set(bare, list);
    else this.#resources.delete(bare);
  }

  /** The full JID that last announced itself available for this bare JID, if any is online. */
  resource(bare: string): string | undefined {
    return this.#resources.get(bare)?.at(-1);
  }

  get size(): number {
    return this.#resources.size;
  }
}
