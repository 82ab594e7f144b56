// ThingStore: every state transition of XEP-0347 and search, on SQLite. No XMPP here: the
// component maps stanzas to these calls, and provisioning (same process, same database handle)
// follows the transitions through `events`.
import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { RequestError } from "./errors.ts";
import type { SearchOperator } from "./operators.ts";
import { compile } from "./query.ts";
import { KEY, LIMITS, type Tag } from "./tags.ts";

/** Names a thing: its bare JID and, behind a concentrator (XEP-0326), the node attributes. */
export interface ThingRef {
  jid: string;
  nodeId?: string;
  sourceId?: string;
  cacheType?: string;
}

export interface Thing extends ThingRef {
  /** Bare JID of the owner; the thing's own for a self-owned thing; null while unclaimed. */
  owner: string | null;
  /** Claimed public (searchable by anyone) or private (searchable by its owner only). */
  public: boolean;
  /** All tags except KEY, sorted by name. */
  tags: Tag[];
  /** The full JID of the thing's last register or update IQ, if any. */
  fullJid?: string;
}

/**
 * Emitted after each committed transition. `removed`, `disowned` and `unregistered` carry the
 * thing as it was just before.
 */
export interface ThingEvents {
  registered: [Thing & { selfOwned: boolean }];
  claimed: [Thing & { owner: string; selfOwned: boolean }];
  updated: [Thing & { by: string }];
  removed: [Thing];
  disowned: [Thing];
  unregistered: [Thing];
}

export type RegisterResult = { status: "registered" } | { status: "claimed"; owner: string };
export type UpdateResult = { status: "updated"; thing: Thing } | { status: "not-found" } | { status: "disowned" };

export interface SearchOptions {
  offset?: number;
  maxCount?: number;
  /** Bare JID of who searches: private things of theirs are included. */
  requester?: string;
}

/** The registry lowers larger maxCount values (and uses it when none is given) to this. */
export const MAX_PAGE = 100;

interface ThingRow {
  id: number;
  jid: string;
  node_id: string;
  source_id: string;
  cache_type: string;
  owner: string | null;
  public: number;
  full_jid: string | null;
}
interface TagRow { thing_id: number; name: string; str_value: string | null; num_value: number | null }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS things (
  id INTEGER PRIMARY KEY,
  jid TEXT NOT NULL,
  node_id TEXT NOT NULL DEFAULT '',
  source_id TEXT NOT NULL DEFAULT '',
  cache_type TEXT NOT NULL DEFAULT '',
  owner TEXT,
  public INTEGER NOT NULL DEFAULT 0,
  -- Hash of all tags (KEY included), so a claim finds its thing by one index probe.
  fingerprint TEXT NOT NULL,
  full_jid TEXT,
  UNIQUE (jid, node_id, source_id, cache_type)
);
CREATE INDEX IF NOT EXISTS things_fingerprint ON things (fingerprint);
CREATE INDEX IF NOT EXISTS things_owner ON things (owner);
CREATE TABLE IF NOT EXISTS thing_tags (
  thing_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  str_value TEXT,
  num_value REAL,
  PRIMARY KEY (thing_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS thing_tags_str ON thing_tags (name, str_value, thing_id);
CREATE INDEX IF NOT EXISTS thing_tags_num ON thing_tags (name, num_value, thing_id);
`;

const THING_COLUMNS = "th.id, th.jid, th.node_id, th.source_id, th.cache_type, th.owner, th.public, th.full_jid";

/** Order-independent identity of a tag set: a claim must present exactly the registered tags. */
export function fingerprint(tags: readonly Tag[]): string {
  const canonical = tags.map((t) => `${t.name}\u001f${t.type}\u001f${String(t.value)}`).sort().join("\u001e");
  return createHash("sha256").update(canonical).digest("base64url");
}

const refKey = (ref: ThingRef) => [ref.jid, ref.nodeId ?? "", ref.sourceId ?? "", ref.cacheType ?? ""] as const;

function rowToTag(r: TagRow): Tag {
  return r.num_value !== null ? { type: "num", name: r.name, value: r.num_value } : { type: "str", name: r.name, value: r.str_value ?? "" };
}

/** Opens (or creates) a database file for the registry: WAL, synchronous=NORMAL, a larger cache. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // 64 MiB of page cache (default 2 MiB): the tag indexes of 100 000 things stay in memory.
  db.pragma("cache_size = -65536");
  return db;
}

export class ThingStore {
  readonly events = new EventEmitter<ThingEvents>();
  readonly db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #searches = new Map<string, Database.Statement>();
  readonly #s;

  /** `db`: a file path (opened with WAL) or an open database shared with other parts. */
  constructor(db: Database.Database | string) {
    this.#ownsDb = typeof db === "string";
    this.db = typeof db === "string" ? openDatabase(db) : db;
    this.db.exec(SCHEMA);
    const where = "jid = ? AND node_id = ? AND source_id = ? AND cache_type = ?";
    this.#s = {
      find: this.db.prepare<unknown[], ThingRow>(`SELECT ${THING_COLUMNS} FROM things th WHERE ${where}`),
      byFingerprint: this.db.prepare<[string, string], ThingRow>(
        `SELECT ${THING_COLUMNS} FROM things th WHERE fingerprint = ? AND (owner IS NULL OR owner = ?) ORDER BY owner IS NOT NULL DESC, id LIMIT 1`),
      claimed: this.db.prepare<[], ThingRow>(`SELECT ${THING_COLUMNS} FROM things th WHERE owner IS NOT NULL ORDER BY id`),
      ownedBy: this.db.prepare<[string], ThingRow>(`SELECT ${THING_COLUMNS} FROM things th WHERE owner = ? ORDER BY id`),
      insert: this.db.prepare(
        `INSERT INTO things (jid, node_id, source_id, cache_type, owner, public, fingerprint, full_jid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      setOwner: this.db.prepare(`UPDATE things SET owner = ?, public = ? WHERE id = ?`),
      setFingerprint: this.db.prepare(`UPDATE things SET fingerprint = ? WHERE id = ?`),
      setFullJid: this.db.prepare(`UPDATE things SET full_jid = ? WHERE id = ? AND full_jid IS NOT ?`),
      deleteThing: this.db.prepare(`DELETE FROM things WHERE id = ?`),
      tags: this.db.prepare<[number], TagRow>(`SELECT thing_id, name, str_value, num_value FROM thing_tags WHERE thing_id = ?`),
      tagsOf: this.db.prepare<[string], TagRow>(
        `SELECT thing_id, name, str_value, num_value FROM thing_tags WHERE thing_id IN (SELECT value FROM json_each(?)) AND name <> '${KEY}'`),
      putTag: this.db.prepare(`INSERT OR REPLACE INTO thing_tags (thing_id, name, str_value, num_value) VALUES (?, ?, ?, ?)`),
      deleteTag: this.db.prepare(`DELETE FROM thing_tags WHERE thing_id = ? AND name = ?`),
      deleteTags: this.db.prepare(`DELETE FROM thing_tags WHERE thing_id = ?`),
    };
  }

  /** Closes the database if the store opened it. */
  close(): void {
    if (this.#ownsDb) this.db.close();
  }

  /**
   * A thing registers (again): replaces all its tags, unless it is claimed, in which case nothing
   * changes and the owner is returned. `selfOwned` stores it as claimed by itself, public.
   */
  register(ref: ThingRef, tags: readonly Tag[], opts: { selfOwned?: boolean; fullJid?: string } = {}): RegisterResult {
    const { result, thing } = this.db.transaction(() => {
      const row = this.#find(ref);
      if (row?.owner) return { result: { status: "claimed", owner: row.owner } as const, thing: undefined };
      if (row) {
        this.#s.deleteTags.run(row.id);
        this.#s.deleteThing.run(row.id);
      }
      const owner = opts.selfOwned ? ref.jid : null;
      const fullJid = opts.fullJid ?? row?.full_jid ?? null;
      const id = Number(this.#s.insert.run(...refKey(ref), owner, opts.selfOwned ? 1 : 0, fingerprint(tags), fullJid).lastInsertRowid);
      for (const t of tags) this.#putTag(id, t);
      return { result: { status: "registered" } as const, thing: this.#toThing({ ...ref, owner, public: !!opts.selfOwned, fullJid }, tags) };
    })();
    if (thing) {
      const selfOwned = opts.selfOwned ?? false;
      this.events.emit("registered", { ...thing, selfOwned });
      if (selfOwned) this.events.emit("claimed", { ...thing, owner: ref.jid, selfOwned });
    }
    return result;
  }

  /**
   * An owner claims the thing registered with exactly these tags (any order). Returns the thing,
   * and whether this call claimed it (false: the caller already owned it); undefined if no
   * unclaimed thing, nor one of the caller's, has these tags.
   */
  claim(owner: string, tags: readonly Tag[], opts: { public?: boolean } = {}): { thing: Thing; claimedNow: boolean } | undefined {
    const isPublic = opts.public ?? true;
    const out = this.db.transaction(() => {
      const row = this.#s.byFingerprint.get(fingerprint(tags), owner);
      if (!row) return undefined;
      if (row.owner === owner) return { thing: this.#thing(row), claimedNow: false };
      this.#s.setOwner.run(owner, isPublic ? 1 : 0, row.id);
      return { thing: this.#thing({ ...row, owner, public: isPublic ? 1 : 0 }), claimedNow: true };
    })();
    if (out?.claimedNow) this.events.emit("claimed", { ...out.thing, owner, selfOwned: false });
    return out;
  }

  /**
   * Merges tags into a claimed thing (an empty string value deletes the tag). `by` is the bare
   * JID of the sender: the thing itself, or its owner. The thing gets "disowned" while
   * unclaimed; anyone else but the owner gets "not-found".
   */
  update(ref: ThingRef, tags: readonly Tag[], by: string, opts: { fullJid?: string } = {}): UpdateResult {
    const out = this.db.transaction((): UpdateResult => {
      const row = this.#find(ref);
      if (!row) return { status: "not-found" };
      const byThing = by === ref.jid;
      if (byThing && !row.owner) return { status: "disowned" };
      if (!byThing && row.owner !== by) return { status: "not-found" };
      for (const t of tags) {
        if (t.type === "str" && t.value === "") this.#s.deleteTag.run(row.id, t.name);
        else this.#putTag(row.id, t);
      }
      const all = this.#s.tags.all(row.id).map(rowToTag);
      if (all.length > LIMITS.tagsPerThing) throw new RequestError(`at most ${LIMITS.tagsPerThing} tags per thing; this update would make ${all.length}`);
      this.#s.setFingerprint.run(fingerprint(all), row.id);
      if (byThing && opts.fullJid) this.#s.setFullJid.run(opts.fullJid, row.id, opts.fullJid);
      return { status: "updated", thing: this.#thing(this.#find(ref)!) };
    })();
    if (out.status === "updated") this.events.emit("updated", { ...out.thing, by });
    return out;
  }

  /** The owner removes its thing from the registry. Returns the thing as it was, or undefined. */
  remove(owner: string, ref: ThingRef): Thing | undefined {
    return this.#delete(ref, "removed", (row) => row.owner === owner);
  }

  /** The thing unregisters itself (claimed or not). */
  unregister(ref: ThingRef): Thing | undefined {
    return this.#delete(ref, "unregistered", () => true);
  }

  /**
   * Completes a disown the thing has acknowledged: unclaimed, all tags dropped, a random KEY so
   * nobody can claim it by guessing until it registers again. False if `owner` does not own it.
   */
  disown(owner: string, ref: ThingRef): boolean {
    const before = this.db.transaction(() => {
      const row = this.#find(ref);
      if (!row || row.owner !== owner) return undefined;
      const thing = this.#thing(row);
      this.#s.deleteTags.run(row.id);
      const key: Tag = { type: "str", name: KEY, value: randomBytes(24).toString("base64url") };
      this.#putTag(row.id, key);
      this.#s.setOwner.run(null, 0, row.id);
      this.#s.setFingerprint.run(fingerprint([key]), row.id);
      return thing;
    })();
    if (before) this.events.emit("disowned", before);
    return before !== undefined;
  }

  /** The thing (tags without KEY), or undefined. */
  get(ref: ThingRef | string): Thing | undefined {
    const row = this.#find(typeof ref === "string" ? { jid: ref } : ref);
    return row && this.#thing(row);
  }

  /** A thing if `owner` owns it. */
  owned(owner: string, ref: ThingRef): Thing | undefined {
    const thing = this.get(ref);
    return thing?.owner === owner ? thing : undefined;
  }

  /** All things an owner has claimed (self-owned things own themselves). */
  ownedBy(owner: string): Thing[] {
    return this.#withTags(this.#s.ownedBy.all(owner));
  }

  /**
   * Claimed things (public or private) whose tags equal every given value: numbers match numeric
   * tags, strings string tags; an empty filter matches all claimed things. For policies by tag.
   * A filter on KEY matches nothing.
   */
  matching(filter: readonly { name: string; value: string | number }[]): Thing[] {
    const ops: SearchOperator[] = filter.map((f) => typeof f.value === "number"
      ? { op: "numEq", name: f.name.toUpperCase(), value: f.value }
      : { op: "strEq", name: f.name.toUpperCase(), value: f.value });
    if (ops.length === 0) return this.#withTags(this.#s.claimed.all());
    if (ops.some((o) => o.name === KEY)) return [];
    const q = compile(ops);
    const rows = this.#statement(`m:${q.shape}`, `SELECT ${THING_COLUMNS} FROM ${q.from} WHERE th.owner IS NOT NULL ORDER BY t0.thing_id`)
      .all(...q.params) as ThingRow[];
    return this.#withTags(rows);
  }

  /**
   * XEP-0347 search: AND-ed operators over claimed things that are public or the requester's.
   * Pages by offset; `more` tells whether things follow the page. KEY never matches.
   */
  search(operators: readonly SearchOperator[], opts: SearchOptions = {}): { things: Thing[]; more: boolean } {
    if (operators.some((o) => o.name === KEY)) return { things: [], more: false };
    const limit = Math.min(opts.maxCount ?? MAX_PAGE, MAX_PAGE);
    const q = compile(operators);
    const sql = `SELECT ${THING_COLUMNS} FROM ${q.from}
      WHERE th.owner IS NOT NULL AND (th.public = 1 OR th.owner = ?) ORDER BY t0.thing_id LIMIT ? OFFSET ?`;
    const rows = this.#statement(`s:${q.shape}`, sql).all(...q.params, opts.requester ?? null, limit + 1, opts.offset ?? 0) as ThingRow[];
    return { things: this.#withTags(rows.slice(0, limit)), more: rows.length > limit };
  }

  /** Number of things, claimed or not. */
  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM things").get() as { n: number }).n;
  }

  #statement(key: string, sql: string): Database.Statement {
    let st = this.#searches.get(key);
    if (!st) {
      // Shapes are few in practice; the bound keeps a hostile client from growing the cache.
      if (this.#searches.size >= 512) this.#searches.clear();
      st = this.db.prepare(sql);
      this.#searches.set(key, st);
    }
    return st;
  }

  #find(ref: ThingRef): ThingRow | undefined {
    return this.#s.find.get(...refKey(ref));
  }

  #putTag(id: number, t: Tag): void {
    this.#s.putTag.run(id, t.name, t.type === "str" ? t.value : null, t.type === "num" ? t.value : null);
  }

  #delete(ref: ThingRef, event: "removed" | "unregistered", allowed: (row: ThingRow) => boolean): Thing | undefined {
    const before = this.db.transaction(() => {
      const row = this.#find(ref);
      if (!row || !allowed(row)) return undefined;
      const thing = this.#thing(row);
      this.#s.deleteTags.run(row.id);
      this.#s.deleteThing.run(row.id);
      return thing;
    })();
    if (before) this.events.emit(event, before);
    return before;
  }

  #thing(row: ThingRow): Thing {
    return this.#withTags([row])[0]!;
  }

  /** Things for rows, their tags (without KEY) fetched in one query. */
  #withTags(rows: ThingRow[]): Thing[] {
    if (rows.length === 0) return [];
    const tags = new Map<number, Tag[]>(rows.map((r) => [r.id, []]));
    for (const t of this.#s.tagsOf.all(JSON.stringify(rows.map((r) => r.id)))) tags.get(t.thing_id)?.push(rowToTag(t));
    return rows.map((r) => this.#toThing({
      jid: r.jid, nodeId: r.node_id, sourceId: r.source_id, cacheType: r.cache_type,
      owner: r.owner, public: r.public === 1, fullJid: r.full_jid,
    }, tags.get(r.id)!));
  }

  /** The public shape: absent attributes left out, KEY dropped, tags sorted by name. */
  #toThing(t: ThingRef & { owner: string | null; public: boolean; fullJid: string | null }, tags: readonly Tag[]): Thing {
    const thing: Thing = { jid: t.jid, owner: t.owner, public: t.public, tags: tags.filter((x) => x.name !== KEY).sort((a, b) => (a.name < b.name ? -1 : 1)) };
    if (t.nodeId) thing.nodeId = t.nodeId;
    if (t.sourceId) thing.sourceId = t.sourceId;
    if (t.cacheType) thing.cacheType = t.cacheType;
    if (t.fullJid) thing.fullJid = t.fullJid;
    return thing;
  }
}
