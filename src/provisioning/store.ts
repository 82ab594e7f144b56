// Provisioning state in SQLite: owner policies, the entities (apps) that announced themselves,
// the devices whose nodes exist, and devices owed a clearCache while offline.
import type Database from "better-sqlite3";
import { PolicyInputSchema, type Policy, type PolicyInput } from "./policy.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS policies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  body TEXT NOT NULL,            -- the parsed policy as JSON
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS policies_owner ON policies(owner);
CREATE TABLE IF NOT EXISTS known_entities (jid TEXT PRIMARY KEY, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_nodes (device TEXT PRIMARY KEY, rid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_clear_cache (device TEXT PRIMARY KEY);
`;

export class PolicyStore {
  #policies: Policy[] | undefined;
  readonly #st;

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.#st = {
      insert: db.prepare<[string, string, string]>("INSERT INTO policies (owner, body, created) VALUES (?, ?, ?)"),
      all: db.prepare<[], { id: number; body: string }>("SELECT id, body FROM policies ORDER BY id"),
      remove: db.prepare<[number, string]>("DELETE FROM policies WHERE id = ? AND owner = ?"),
      know: db.prepare<[string, string]>("INSERT OR IGNORE INTO known_entities (jid, first_seen) VALUES (?, ?)"),
      known: db.prepare<[], { jid: string }>("SELECT jid FROM known_entities ORDER BY jid"),
      setNodes: db.prepare<[string, string]>("INSERT OR REPLACE INTO device_nodes (device, rid) VALUES (?, ?)"),
      getNodes: db.prepare<[string], { rid: string }>("SELECT rid FROM device_nodes WHERE device = ?"),
      devices: db.prepare<[], { device: string; rid: string }>("SELECT device, rid FROM device_nodes ORDER BY device"),
      dropNodes: db.prepare<[string]>("DELETE FROM device_nodes WHERE device = ?"),
      owe: db.prepare<[string]>("INSERT OR IGNORE INTO pending_clear_cache (device) VALUES (?)"),
      paid: db.prepare<[string]>("DELETE FROM pending_clear_cache WHERE device = ?"),
      owed: db.prepare<[string], { device: string }>("SELECT device FROM pending_clear_cache WHERE device = ?"),
    };
  }

  /** Validates and stores a policy; resolves with it, id included. */
  add(input: PolicyInput): Policy {
    const parsed = PolicyInputSchema.parse(input);
    const { lastInsertRowid } = this.#st.insert.run(parsed.owner, JSON.stringify(parsed), new Date().toISOString());
    this.#policies = undefined;
    return { ...parsed, id: Number(lastInsertRowid) };
  }

  /** Every policy, cached until the next change (decisions read them on every request). */
  all(): Policy[] {
    this.#policies ??= this.#st.all.all().map((r) => ({ ...(JSON.parse(r.body) as Omit<Policy, "id">), id: r.id }));
    return this.#policies;
  }

  ofOwner(owner: string): Policy[] {
    return this.all().filter((p) => p.owner === owner.toLowerCase());
  }

  /** Removes one of the owner's policies; false when the owner has no policy with that id. */
  revoke(owner: string, id: number): Policy | undefined {
    const policy = this.ofOwner(owner).find((p) => p.id === id);
    if (!policy) return undefined;
    this.#st.remove.run(id, policy.owner);
    this.#policies = undefined;
    return policy;
  }

  /** Remembers an entity that announced itself (an app); true when it is new. */
  know(jid: string): boolean {
    return this.#st.know.run(jid.toLowerCase(), new Date().toISOString()).changes > 0;
  }

  knownEntities(): string[] {
    return this.#st.known.all().map((r) => r.jid);
  }

  setDeviceNodes(device: string, rid: string): void { this.#st.setNodes.run(device, rid); }
  deviceRid(device: string): string | undefined { return this.#st.getNodes.get(device)?.rid; }
  devicesWithNodes(): { device: string; rid: string }[] { return this.#st.devices.all(); }
  dropDeviceNodes(device: string): void { this.#st.dropNodes.run(device); }

  oweClearCache(device: string): void { this.#st.owe.run(device); }
  paidClearCache(device: string): void { this.#st.paid.run(device); }
  owesClearCache(device: string): boolean { return this.#st.owed.get(device) !== undefined; }
}
