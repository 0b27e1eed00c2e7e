import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { io, type Socket } from "socket.io-client";
import {
  applyAwarenessUpdate,
  Awareness,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from "y-protocols/awareness";
import * as sync from "y-protocols/sync";
import * as Y from "yjs";
import {
  Events,
  SOCKET_PATH,
  type ClientToServerEvents,
  type JobFinished,
  type JobProgress,
  type ProtocolError,
  type RenderReady,
  type Role,
  type ServerToClientEvents,
} from "@/shared/protocol";

/**
 * The browser's side of one session: a Y.Doc and its awareness, kept in sync
 * with the server over socket.io (y-protocols sync and awareness messages,
 * see shared/protocol/events.ts), plus the server's job and render events.
 *
 * Local changes must be made in transactions whose origin is
 * `client.localOrigin`; that is also what an undo manager should track.
 * Changes that arrive from the server carry the client itself as origin
 * and are never sent back.
 */

export type ConnectionStatus = "connecting" | "synced" | "offline" | "refused";

export interface SessionEvents {
  status: (status: ConnectionStatus, error: ProtocolError | null) => void;
  progress: (progress: JobProgress) => void;
  finished: (finished: JobFinished) => void;
  render: (ready: RenderReady) => void;
  /** A refused message (e.g. an edit through a view-only link). */
  error: (error: ProtocolError) => void;
}

type Listener<K extends keyof SessionEvents> = SessionEvents[K];

export class SessionClient {
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  /** Origin of this user's own transactions. */
  readonly localOrigin = { source: "local" as const };
  status: ConnectionStatus = "connecting";
  role: Role | null = null;
  model: string | null = null;
  lastError: ProtocolError | null = null;

  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Map<keyof SessionEvents, Set<(...args: never[]) => void>>();
  /** Updates sent and not yet acknowledged, and who waits for them. */
  private unacknowledged = 0;
  private flushWaiters: (() => void)[] = [];

  constructor(
    readonly sessionId: string,
    private readonly token: string,
  ) {
    this.socket = io({ path: SOCKET_PATH, transports: ["websocket"], autoConnect: false });
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", () => {
      this.role = null;
      // A refused join stays refused; anything else may come back.
      if (this.status !== "refused") this.setStatus("offline", null);
    });
    this.socket.on(Events.sync, (message) => this.receiveSync(message));
    this.socket.on(Events.awareness, (update) =>
      applyAwarenessUpdate(this.awareness, new Uint8Array(update), this),
    );
    this.socket.on(Events.jobProgress, (p) => this.emit("progress", p));
    this.socket.on(Events.jobFinished, (f) => this.emit("finished", f));
    this.socket.on(Events.renderReady, (r) => this.emit("render", r));
    this.socket.on(Events.error, (e) => this.refused(e));
    this.doc.on("update", this.sendUpdate);
    this.awareness.on("update", this.sendAwareness);
  }

  connect(): void {
    this.socket.connect();
  }

  /** Leaves the session: clears our presence, closes the socket. */
  destroy(): void {
    removeAwarenessStates(this.awareness, [this.doc.clientID], "local");
    this.doc.off("update", this.sendUpdate);
    this.awareness.off("update", this.sendAwareness);
    this.socket.disconnect();
    this.awareness.destroy();
    this.doc.destroy();
    this.listeners.clear();
  }

  on<K extends keyof SessionEvents>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (...args: never[]) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (...args: never[]) => void);
  }

  /** Asks the server to solve a rule; resolves with the job id. */
  execute(ruleId: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.socket.emit(Events.ruleExecute, { ruleId }, (ack) => {
        if (ack.ok) resolve(ack.jobId);
        else {
          this.refused(ack.error);
          reject(new Error(ack.error.detail ?? ack.error.reason));
        }
      });
    });
  }

  /** Resolves once the server has stored every local change sent so far. */
  flush(): Promise<void> {
    if (this.unacknowledged === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  cancel(ruleId: string): void {
    this.socket.emit(Events.ruleCancel, { ruleId }, (ack) => {
      if (!ack.ok) this.refused(ack.error);
    });
  }

  private emit<K extends keyof SessionEvents>(event: K, ...args: Parameters<SessionEvents[K]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      (listener as unknown as (...a: Parameters<SessionEvents[K]>) => void)(...args);
    }
  }

  private setStatus(status: ConnectionStatus, error: ProtocolError | null): void {
    this.status = status;
    this.lastError = error;
    this.emit("status", status, error);
  }

  private refused(error: ProtocolError): void {
    this.lastError = error;
    this.emit("error", error);
  }

  private join(): void {
    this.setStatus("connecting", null);
    this.socket.emit(Events.join, { sessionId: this.sessionId, token: this.token }, (ack) => {
      if (!ack.ok) {
        this.setStatus("refused", ack.error);
        this.socket.disconnect();
        return;
      }
      this.role = ack.role;
      this.model = ack.model;
      const encoder = encoding.createEncoder();
      sync.writeSyncStep1(encoder, this.doc);
      this.socket.emit(Events.sync, encoding.toUint8Array(encoder));
      const states = [this.doc.clientID];
      if (this.awareness.getLocalState() !== null) {
        this.socket.emit(Events.awareness, encodeAwarenessUpdate(this.awareness, states));
      }
    });
  }

  private receiveSync(message: Uint8Array): void {
    const decoder = decoding.createDecoder(new Uint8Array(message));
    const encoder = encoding.createEncoder();
    const kind = sync.readSyncMessage(decoder, encoder, this.doc, this);
    if (encoding.length(encoder) > 0) {
      this.socket.emit(Events.sync, encoding.toUint8Array(encoder));
    }
    // The server's step 2 answers our step 1: from then on we hold its state.
    if (kind === sync.messageYjsSyncStep2) this.setStatus("synced", null);
  }

  private readonly sendUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    const encoder = encoding.createEncoder();
    sync.writeUpdate(encoder, update);
    this.unacknowledged++;
    this.socket.emit(Events.sync, encoding.toUint8Array(encoder), (ack) => {
      if (!ack.ok) this.refused(ack.error);
      this.unacknowledged--;
      if (this.unacknowledged === 0) {
        const waiters = this.flushWaiters;
        this.flushWaiters = [];
        waiters.forEach((resolve) => resolve());
      }
    });
  };

  private readonly sendAwareness = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    // Before the join is acknowledged the server refuses awareness; the join
    // handler publishes the state as soon as it is.
    if (origin === this || this.role === null) return;
    const clients = [...change.added, ...change.updated, ...change.removed];
    this.socket.emit(Events.awareness, encodeAwarenessUpdate(this.awareness, clients));
  };
}
