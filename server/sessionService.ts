/**
 * Creating, authorising, sharing and forking sessions: the HTTP-facing
 * operations that are not part of live collaboration.
 */
import * as Y from "yjs";
import {
  type CreateSessionRequest,
  type CreateSessionResponse,
  initSessionDoc,
  readRules,
  readSeeds,
  readSessionMeta,
  RewriteError,
  type Role,
  type RuleEntry,
  sessionAppPath,
  shareAppPath,
  type ShareResponse,
  type SnapshotResponse,
} from "@/shared/protocol";
import type { ModelRegistry } from "./models";
import type { ArtifactStore } from "./store/artifactStore";
import type { SessionRecord, SessionStore } from "./store/sessionStore";

/** Grid of a new session when the request names no seeds. */
export const DEFAULT_SEEDS = Array.from({ length: 12 }, (_, i) => i);

export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly artifacts: ArtifactStore,
    private readonly models: ModelRegistry,
  ) {}

  /** Creates a session (optionally holding `rules`) and its links. */
  create(request: CreateSessionRequest, rules: readonly RuleEntry[] = []): CreateSessionResponse {
    const model = request.model ?? this.models.defaultName;
    if (model === null) throw new RewriteError("MODEL_UNAVAILABLE", "no model is installed");
    const { manifest } = this.models.entry(model);
    const layers = manifest.layers.map((l) => l.name);
    const layer = request.layer ?? layers[Math.floor(layers.length / 2)]!;
    if (!layers.includes(layer)) {
      throw new RewriteError("INVALID_MESSAGE", `model ${model} has no layer "${layer}"`);
    }
    const doc = new Y.Doc();
    initSessionDoc(doc, {
      model,
      layer,
      seeds: request.seeds ?? DEFAULT_SEEDS,
      title: request.title ?? "",
      rules,
    });
    const record = this.store.create(model, Y.encodeStateAsUpdate(doc));
    doc.destroy();
    return {
      id: record.id,
      editToken: record.editToken,
      viewToken: record.viewToken,
      editUrl: sessionAppPath(record.id, record.editToken),
      viewUrl: sessionAppPath(record.id, record.viewToken),
    };
  }

  /** The session and the token's role; throws unless it grants `need`. */
  authorize(
    sessionId: string,
    token: string | null,
    need: Role,
  ): { session: SessionRecord; role: Role } {
    const session = this.store.get(sessionId);
    if (session === null) throw new RewriteError("SESSION_NOT_FOUND");
    const role = token === null ? null : this.store.roleFor(session, token);
    if (role === null) throw new RewriteError("UNAUTHORIZED");
    if (need === "edit" && role !== "edit") throw new RewriteError("READ_ONLY");
    return { session, role };
  }

  /** The session's stored document, as of the last acknowledged edit. */
  withDoc<T>(sessionId: string, read: (doc: Y.Doc) => T): T {
    const doc = this.store.loadDoc(sessionId);
    try {
      return read(doc);
    } finally {
      doc.destroy();
    }
  }

  /** Freezes the session's current rules into an immutable share. */
  snapshot(sessionId: string): SnapshotResponse {
    const content = this.withDoc(sessionId, (doc) => {
      const meta = readSessionMeta(doc);
      return {
        model: meta.model,
        layer: meta.layer,
        title: meta.title,
        seeds: readSeeds(doc),
        rules: readRules(doc),
      };
    });
    const share = this.artifacts.createShare(content);
    return { shareId: share.id, url: shareAppPath(share.id) };
  }

  share(shareId: string): ShareResponse {
    const share = this.artifacts.getShare(shareId);
    if (share === null) throw new RewriteError("SHARE_NOT_FOUND");
    return share;
  }

  /** A new session holding a share's rules (solved ones keep their delta). */
  fork(shareId: string): CreateSessionResponse {
    const share = this.share(shareId);
    const rules = share.rules.map((rule) => this.resetUnsolved(rule));
    return this.create(
      { model: share.model, layer: share.layer, seeds: share.seeds, title: share.title },
      rules,
    );
  }

  private resetUnsolved(rule: RuleEntry): RuleEntry {
    const solved =
      rule.status === "done" &&
      rule.deltaHash !== null &&
      this.artifacts.getDelta(rule.deltaHash) !== null;
    if (solved) return rule;
    return { ...rule, status: "draft", progress: 0, deltaHash: null, error: null };
  }
}
