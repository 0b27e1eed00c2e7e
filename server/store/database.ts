/**
 * Opens the server's SQLite file and creates its tables.
 *
 * Durability: WAL journal with `synchronous = FULL`. Every edit is stored
 * in its own committed transaction before it is acknowledged, so a
 * `kill -9` of the process loses nothing (a committed WAL frame is in the
 * OS page cache even with NORMAL), and FULL also fsyncs the WAL on each
 * commit so an acknowledged edit survives an OS crash or power loss. The
 * cost is one fsync per acknowledged update; `synchronous: "normal"` trades
 * that last guarantee for speed.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** File path, or ":memory:". */
  readonly file: string;
  readonly synchronous?: "full" | "normal";
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  edit_token TEXT NOT NULL,
  view_token TEXT NOT NULL,
  model TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_updates_session ON doc_updates(session_id, seq);
CREATE TABLE IF NOT EXISTS shares (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deltas (
  rule_hash TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  layer TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rule_sets (
  hash TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS images (
  model TEXT NOT NULL,
  rules_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  png BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (model, rules_hash, seed)
);
`;

/** Opens (creating if needed) the database and applies the schema. */
export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.file !== ":memory:") {
    fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  }
  const db = new Database(options.file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("foreign_keys = ON");
  // Several server processes may share the file; wait for the write lock.
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  return db;
}
