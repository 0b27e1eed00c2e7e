/**
 * A loaded session: its Y.Doc and awareness, the sockets of this process
 * that joined it, and the rule that every change is stored and fanned out.
 *
 * Client updates are checked on a scratch copy, appended to SQLite, then
 * acknowledged, and only then applied and broadcast (`receiveUpdate`).
 * Server-side changes (`change`) are applied, then appended, then
 * broadcast. Updates from other processes are applied and broadcast only.
 */
import type { Logger } from "pino";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocOrigin } from "@/shared/protocol";
import { RewriteError } from "@/shared/protocol";
import type { Fanout, FanoutMessage } from "../scaleout/fanout";
import type { SessionStore } from "../store/sessionStore";
import { checkAwarenessUpdate } from "./awarenessCheck";
import { checkUpdate, isEmptyUpdateOrThrow } from "./updateCheck";
import { describe, encodeUpdateMessage } from "./syncMessages";

/** Sends to this process's sockets in the room, except one. */
export interface LocalBroadcast {
  sync(message: Uint8Array, exceptSocketId: string | null): void;
  awareness(update: Uint8Array, exceptSocketId: string | null): void;
}

export interface RoomOptions {
  readonly sessionId: string;
  readonly model: string;
  readonly store: SessionStore;
  readonly fanout: Fanout;
  readonly logger: Logger;
  readonly broadcast: LocalBroadcast;
  /** Compact the stored history after this many appended updates. */
  readonly compactEvery: number;
}

/** Called after a change made on this process (not one from elsewhere). */
export type LocalChangeListener = (origin: DocOrigin) => void;

export class Room {
  readonly sessionId: string;
  readonly model: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly sockets = new Set<string>();
  private readonly options: RoomOptions;
  private readonly awarenessOwners = new Map<number, string>();
  private readonly localChangeListeners = new Set<LocalChangeListener>();
  private appendedSinceCompaction = 0;
  /** Jobs and other holders that keep the room loaded without sockets. */
  holds = 0;

  constructor(options: RoomOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    this.model = options.model;
    this.doc = options.store.loadDoc(options.sessionId);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.doc.on("update", (update: Uint8Array, origin: unknown) =>
      this.onDocUpdate(update, origin as DocOrigin | null),
    );
    this.awareness.on("update", (changes: AwarenessChanges, origin: unknown) =>
      this.onAwarenessUpdate(changes, origin),
    );
  }

  /**
   * Checks, stores and applies a client's update. `acknowledge` runs after
   * the update is durably stored and before it is applied and broadcast.
   * Throws a RewriteError (document unchanged) when it is refused; a
   * read-only client may only send empty updates (sync replies).
   */
  receiveUpdate(
    update: Uint8Array,
    socketId: string,
    acknowledge: () => void,
    { readOnly }: { readOnly: boolean },
  ): void {
    if (isEmptyUpdateOrThrow(update)) {
      acknowledge();
      return;
    }
    if (readOnly) throw new RewriteError("READ_ONLY");
    checkUpdate(this.doc, update, this.model);
    this.options.store.append(this.sessionId, update);
    this.appendedSinceCompaction++;
    acknowledge();
    Y.applyUpdate(this.doc, update, { source: "socket", socketId } satisfies DocOrigin);
  }

  /** Makes a server-side change in one transaction, stored and broadcast. */
  change(task: string, edit: (doc: Y.Doc) => void): void {
    this.doc.transact(() => edit(this.doc), { source: "server", task } satisfies DocOrigin);
  }

  /** Applies a client's awareness update; throws when refused. */
  receiveAwareness(update: Uint8Array, socketId: string): void {
    const clients = checkAwarenessUpdate(update);
    for (const client of clients) {
      const owner = this.awarenessOwners.get(client);
      if (owner !== undefined && owner !== socketId) {
        throw new RewriteError("INVALID_MESSAGE", `awareness client ${client} belongs to another socket`);
      }
    }
    for (const client of clients) this.awarenessOwners.set(client, socketId);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, {
      source: "socket",
      socketId,
    } satisfies DocOrigin);
  }

  /** Current awareness of everyone, for a socket that just joined. */
  awarenessSnapshot(): Uint8Array | null {
    const clients = [...this.awareness.getStates().keys()];
    return clients.length === 0
      ? null
      : awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients);
  }

  /** Forgets a socket and removes the awareness states it published. */
  leave(socketId: string): void {
    this.sockets.delete(socketId);
    const owned = [...this.awarenessOwners].filter(([, s]) => s === socketId);
    for (const [client] of owned) this.awarenessOwners.delete(client);
    awarenessProtocol.removeAwarenessStates(
      this.awareness,
      owned.map(([client]) => client),
      { source: "socket", socketId } satisfies DocOrigin,
    );
  }

  /** Applies a message fanned out by another process. */
  receiveRemote(message: FanoutMessage): void {
    const origin: DocOrigin = { source: "remote", processId: "" };
    try {
      if (message.kind === "doc") Y.applyUpdate(this.doc, message.data, origin);
      else awarenessProtocol.applyAwarenessUpdate(this.awareness, message.data, origin);
    } catch (cause) {
      this.options.logger.error(
        { session: this.sessionId, err: cause },
        `dropped a malformed ${message.kind} message from another process`,
      );
    }
  }

  /** Re-reads the stored history (after missed fan-out messages). */
  reloadFromStore(): void {
    for (const update of this.options.store.updates(this.sessionId)) {
      Y.applyUpdate(this.doc, update, { source: "restore" } satisfies DocOrigin);
    }
  }

  onLocalChange(listener: LocalChangeListener): () => void {
    this.localChangeListeners.add(listener);
    return () => this.localChangeListeners.delete(listener);
  }

  /** Merges the stored history into one row. */
  compact(): void {
    try {
      const { rowsBefore, bytesAfter } = this.options.store.compact(this.sessionId);
      this.appendedSinceCompaction = 0;
      this.options.logger.debug(
        { session: this.sessionId, rowsBefore, bytesAfter },
        "compacted document history",
      );
    } catch (cause) {
      this.options.logger.error(
        { session: this.sessionId, err: cause },
        "compaction failed; the uncompacted history is kept",
      );
    }
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }

  private onDocUpdate(update: Uint8Array, origin: DocOrigin | null): void {
    const source = origin?.source;
    if (source === "server") this.storeServerUpdate(update);
    if (source === "socket" || source === "server") {
      this.options.fanout.publish(this.sessionId, { kind: "doc", data: update });
    }
    const except = source === "socket" ? origin!.socketId : null;
    this.options.broadcast.sync(encodeUpdateMessage(update), except);
    if (source === "socket" || source === "server") {
      for (const listener of this.localChangeListeners) listener(origin!);
    }
    if (this.appendedSinceCompaction >= this.options.compactEvery) this.compact();
  }

  private storeServerUpdate(update: Uint8Array): void {
    try {
      this.options.store.append(this.sessionId, update);
      this.appendedSinceCompaction++;
    } catch (cause) {
      this.options.logger.error(
        { session: this.sessionId, err: cause },
        `could not store a server change (${describe(cause)}); it lives in memory only`,
      );
    }
  }

  private onAwarenessUpdate(changes: AwarenessChanges, origin: unknown): void {
    const clients = [...changes.added, ...changes.updated, ...changes.removed];
    if (clients.length === 0) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients);
    const socketOrigin = isSocketOrigin(origin) ? origin : null;
    this.options.broadcast.awareness(update, socketOrigin?.socketId ?? null);
    if (socketOrigin !== null) {
      this.options.fanout.publish(this.sessionId, { kind: "awareness", data: update });
    }
  }
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

function isSocketOrigin(origin: unknown): origin is Extract<DocOrigin, { source: "socket" }> {
  return (
    typeof origin === "object" &&
    origin !== null &&
    (origin as { source?: unknown }).source === "socket"
  );
}
