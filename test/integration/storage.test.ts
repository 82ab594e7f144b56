// The control-space pubsub store as the server runs it: SQLite in WAL mode (see xep/flexfed.md §3.1).
import Database from "better-sqlite3";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testServer } from "./harness.ts";

describe("pubsub storage", () => {
  it("keeps control spaces in SQLite with a write-ahead log", () => {
    const db = new Database(path.join(testServer().info.dataDir, "pubsub.sqlite"), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });
});
