/**
 * Content-addressed artifacts in SQLite: shared rule sets, solved deltas
 * (keyed by rule hash), rule sets (keyed by rule-set hash) and rendered
 * grid images (keyed by model, rule-set hash and seed). Rows are written
 * once and never change, so concurrent writers simply ignore duplicates.
 */
import type { ShareResponse } from "@/shared/protocol";
import type { Db } from "./database";
import { newShareId } from "./ids";

export interface StoredDelta {
  readonly ruleHash: string;
  readonly model: string;
  readonly layer: string;
  readonly data: Uint8Array;
}

export class ArtifactStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Stores an immutable share and returns its new id. */
  createShare(share: Omit<ShareResponse, "id" | "createdAt">): ShareResponse {
    const full: ShareResponse = { ...share, id: newShareId(), createdAt: Date.now() };
    this.db
      .prepare(`INSERT INTO shares (id, model, body, created_at) VALUES (?, ?, ?, ?)`)
      .run(full.id, full.model, JSON.stringify(full), full.createdAt);
    return full;
  }

  getShare(id: string): ShareResponse | null {
    const row = this.db.prepare(`SELECT body FROM shares WHERE id = ?`).get(id) as
      | { body: string }
      | undefined;
    return row === undefined ? null : (JSON.parse(row.body) as ShareResponse);
  }

  putDelta(delta: StoredDelta): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO deltas (rule_hash, model, layer, data, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(delta.ruleHash, delta.model, delta.layer, Buffer.from(delta.data), Date.now());
  }

  getDelta(ruleHash: string): StoredDelta | null {
    const row = this.db
      .prepare(`SELECT rule_hash, model, layer, data FROM deltas WHERE rule_hash = ?`)
      .get(ruleHash) as
      | { rule_hash: string; model: string; layer: string; data: Buffer }
      | undefined;
    if (row === undefined) return null;
    return {
      ruleHash: row.rule_hash,
      model: row.model,
      layer: row.layer,
      data: new Uint8Array(row.data),
    };
  }

  /** Records which deltas (and strengths) a rule-set hash stands for. */
  putRuleSet(hash: string, model: string, body: unknown): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO rule_sets (hash, model, body) VALUES (?, ?, ?)`)
      .run(hash, model, JSON.stringify(body));
  }

  getRuleSet(hash: string): { model: string; body: unknown } | null {
    const row = this.db
      .prepare(`SELECT model, body FROM rule_sets WHERE hash = ?`)
      .get(hash) as { model: string; body: string } | undefined;
    return row === undefined
      ? null
      : { model: row.model, body: JSON.parse(row.body) as unknown };
  }

  putImage(model: string, rulesHash: string, seed: number, png: Uint8Array): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO images (model, rules_hash, seed, png, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(model, rulesHash, seed, Buffer.from(png), Date.now());
  }

  getImage(model: string, rulesHash: string, seed: number): Uint8Array | null {
    const row = this.db
      .prepare(
        `SELECT png FROM images WHERE model = ? AND rules_hash = ? AND seed = ?`,
      )
      .get(model, rulesHash, seed) as { png: Buffer } | undefined;
    return row === undefined ? null : new Uint8Array(row.png);
  }
}
