/**
 * Sessions and their document history in SQLite.
 *
 * A session's document is the merge of its stored Yjs updates. Each
 * accepted update is appended in its own transaction before the client is
 * acknowledged; `compact` replaces the rows with one equivalent update.
 */
import * as Y from "yjs";
import type { Role } from "@/shared/protocol";
import type { Db } from "./database";
import { newSessionId, newToken, tokensEqual } from "./ids";

export interface SessionRecord {
  readonly id: string;
  readonly editToken: string;
  readonly viewToken: string;
  readonly model: string;
  readonly createdAt: number;
}

interface SessionRow {
  id: string;
  edit_token: string;
  view_token: string;
  model: string;
  created_at: number;
}

export class SessionStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Creates a session whose document starts as `initialUpdate`. */
  create(model: string, initialUpdate: Uint8Array): SessionRecord {
    const record: SessionRecord = {
      id: newSessionId(),
      editToken: newToken(),
      viewToken: newToken(),
      model,
      createdAt: Date.now(),
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO sessions (id, edit_token, view_token, model, created_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(record.id, record.editToken, record.viewToken, model, record.createdAt);
      this.insertUpdate(record.id, initialUpdate);
    })();
    return record;
  }

  get(id: string): SessionRecord | null {
    const row = this.db
      .prepare(`SELECT * FROM sessions WHERE id = ?`)
      .get(id) as SessionRow | undefined;
    if (row === undefined) return null;
    return {
      id: row.id,
      editToken: row.edit_token,
      viewToken: row.view_token,
      model: row.model,
      createdAt: row.created_at,
    };
  }

  /** The role a token grants on a session, or null for none. */
  roleFor(session: SessionRecord, token: string): Role | null {
    if (tokensEqual(token, session.editToken)) return "edit";
    if (tokensEqual(token, session.viewToken)) return "view";
    return null;
  }

  /** Durably appends one update (committed when this returns). */
  append(sessionId: string, update: Uint8Array): number {
    return this.db.transaction(() => this.insertUpdate(sessionId, update))();
  }

  /** All stored updates of a session, oldest first. */
  updates(sessionId: string): Uint8Array[] {
    const rows = this.db
      .prepare(`SELECT data FROM doc_updates WHERE session_id = ? ORDER BY seq`)
      .all(sessionId) as { data: Buffer }[];
    return rows.map((row) => new Uint8Array(row.data));
  }

  /** Number of stored update rows of a session. */
  updateCount(sessionId: string): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM doc_updates WHERE session_id = ?`)
      .get(sessionId) as { n: number };
    return row.n;
  }

  /** Rebuilds the session's document from its stored updates. */
  loadDoc(sessionId: string): Y.Doc {
    const doc = new Y.Doc();
    for (const update of this.updates(sessionId)) {
      Y.applyUpdate(doc, update, { source: "restore" });
    }
    return doc;
  }

  /**
   * Replaces all stored updates of a session with one equivalent update.
   * Runs under the write lock, so updates appended by another process
   * sharing the file are either merged or kept.
   */
  compact(sessionId: string): { rowsBefore: number; bytesAfter: number } {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT seq, data FROM doc_updates WHERE session_id = ? ORDER BY seq`,
          )
          .all(sessionId) as { seq: number; data: Buffer }[];
        if (rows.length <= 1) {
          return { rowsBefore: rows.length, bytesAfter: rows[0]?.data.length ?? 0 };
        }
        const doc = new Y.Doc();
        for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
        const merged = Y.encodeStateAsUpdate(doc);
        doc.destroy();
        const lastSeq = rows[rows.length - 1]!.seq;
        this.db
          .prepare(`DELETE FROM doc_updates WHERE session_id = ? AND seq <= ?`)
          .run(sessionId, lastSeq);
        this.insertUpdate(sessionId, merged);
        return { rowsBefore: rows.length, bytesAfter: merged.length };
      })
      .immediate();
  }

  private insertUpdate(sessionId: string, update: Uint8Array): number {
    const result = this.db
      .prepare(
        `INSERT INTO doc_updates (session_id, data, created_at) VALUES (?, ?, ?)`,
      )
      .run(sessionId, Buffer.from(update), Date.now());
    return Number(result.lastInsertRowid);
  }
}
