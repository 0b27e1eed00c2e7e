/**
 * A Node collaborator for tests and benchmarks: a Y.Doc kept in sync with a
 * session over socket.io, speaking the same protocol as the app. Every
 * local transaction is sent as one update whose ack can be awaited.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { io, type Socket } from "socket.io-client";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import {
  type Ack,
  type AwarenessState,
  type ClientToServerEvents,
  Events,
  type JobFinished,
  type JobProgress,
  type JoinAck,
  type ProtocolError,
  type RenderReady,
  type ServerToClientEvents,
} from "@/shared/protocol";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class TestClient {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly socket: ClientSocket;
  readonly errors: ProtocolError[] = [];
  readonly renders: RenderReady[] = [];
  readonly finished: JobFinished[] = [];
  readonly progress: JobProgress[] = [];
  /** Time each remote update arrived (for latency measurements). */
  onRemoteUpdate: ((update: Uint8Array) => void) | null = null;
  join: JoinAck | null = null;
  synced = false;
  private lastAck: Promise<Ack> = Promise.resolve({ ok: true });

  private constructor(url: string) {
    this.socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    this.socket.on(Events.sync, (message) => this.receiveSync(new Uint8Array(message)));
    this.socket.on(Events.awareness, (update) =>
      awarenessProtocol.applyAwarenessUpdate(this.awareness, new Uint8Array(update), this),
    );
    this.socket.on(Events.error, (error) => this.errors.push(error));
    this.socket.on(Events.renderReady, (ready) => this.renders.push(ready));
    this.socket.on(Events.jobFinished, (finished) => this.finished.push(finished));
    this.socket.on(Events.jobProgress, (progress) => this.progress.push(progress));
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.lastAck = this.sendUpdate(update);
    });
    this.awareness.on("update", ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === this) return;
      const clients = [...added!, ...updated!, ...removed!];
      this.socket.emit(Events.awareness, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    });
  }

  /** Connects and joins; resolves once the join is acknowledged (ok or not). */
  static async connect(url: string, sessionId: string, token: string): Promise<TestClient> {
    const client = new TestClient(url);
    await new Promise<void>((resolve, reject) => {
      client.socket.once("connect", () => resolve());
      client.socket.once("connect_error", reject);
    });
    client.join = await client.socket.emitWithAck(Events.join, { sessionId, token });
    if (client.join.ok) client.socket.emit(Events.sync, encodeStep1(client.doc));
    return client;
  }

  /** Connects, joins, and waits until the initial sync is complete. */
  static async synced(url: string, sessionId: string, token: string): Promise<TestClient> {
    const client = await TestClient.connect(url, sessionId, token);
    if (!client.join?.ok) throw new Error(`join refused: ${JSON.stringify(client.join)}`);
    const deadline = Date.now() + 10_000;
    while (!client.synced) {
      if (Date.now() > deadline) throw new Error("sync timed out");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return client;
  }

  /** Makes a local change and resolves with the server's ack of it. */
  async edit(change: (doc: Y.Doc) => void): Promise<Ack> {
    this.lastAck = Promise.resolve({ ok: true });
    this.doc.transact(() => change(this.doc), "local");
    return this.lastAck;
  }

  setAwareness(state: AwarenessState): void {
    this.awareness.setLocalState(state);
  }

  /** Emits raw bytes on `sync:message` and resolves with the ack. */
  sendRaw(message: Uint8Array): Promise<Ack> {
    return this.socket.timeout(10_000).emitWithAck(Events.sync, message);
  }

  close(): void {
    this.socket.disconnect();
    this.awareness.destroy();
    this.doc.destroy();
  }

  private sendUpdate(update: Uint8Array): Promise<Ack> {
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    const ack = this.sendRaw(encoding.toUint8Array(encoder));
    // Nobody awaits the ack of an update sent while the client closes;
    // callers that do await it (edit) still see the rejection.
    ack.catch(() => undefined);
    return ack;
  }

  private receiveSync(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const encoder = encoding.createEncoder();
    const type = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
    if (encoding.length(encoder) > 0) {
      // The sync reply's ack is not awaited; it may be cut off by close().
      this.sendRaw(encoding.toUint8Array(encoder)).catch(() => undefined);
    }
    if (type === syncProtocol.messageYjsSyncStep2) this.synced = true;
    if (type === syncProtocol.messageYjsUpdate) this.onRemoteUpdate?.(message);
  }
}

export function encodeStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** A sync "update" message wrapping `update`. */
export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}
