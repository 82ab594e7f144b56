// The control-space pubsub store as the server runs it (see xep/flexfed.md §3.1, xep/servers.md):
// Prosody's SQLite in WAL mode, ejabberd's mnesia with pubsub items on disk.
import Database from "better-sqlite3";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ServerInfo, ServerKind } from "../../src/server/prosody.ts";
import { testServer } from "./harness.ts";

const STORES: Record<ServerKind, { store: string; check: (info: ServerInfo) => void }> = {
  prosody: {
    store: "SQLite with a write-ahead log",
    check: (info) => {
      const db = new Database(path.join(info.dataDir, "pubsub.sqlite"), { readonly: true, fileMustExist: true });
      try {
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      } finally {
        db.close();
      }
    },
  },
  ejabberd: {
    store: "mnesia, items on disk (disc_only_copies)",
    // mnesia keeps a disc_only_copies table in <table>.DAT, a disc_copies one in <table>.DCD.
    check: (info) => {
      expect(readdirSync(path.join(info.dataDir, "spool"))).toContain("pubsub_item.DAT");
    },
  },
};

describe("pubsub storage", () => {
  const { info } = testServer();
  it(`keeps control spaces in ${info.server}'s store: ${STORES[info.server].store}`, () => {
    STORES[info.server].check(info);
  });
});
