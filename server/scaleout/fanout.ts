/**
 * Fan-out of document and awareness updates between server processes that
 * serve the same sessions. `LocalFanout` is the single-process case: it
 * delivers nothing. `RedisFanout` (redisFanout.ts) uses Redis pub/sub.
 */
export type FanoutKind = "doc" | "awareness";

export interface FanoutMessage {
  readonly kind: FanoutKind;
  readonly data: Uint8Array;
}

export type FanoutHandler = (message: FanoutMessage) => void;

export interface Fanout {
  /** Names this process in published messages (its own are not echoed). */
  readonly processId: string;
  /** Starts delivering other processes' messages for a session. */
  subscribe(sessionId: string, handler: FanoutHandler): Promise<void>;
  unsubscribe(sessionId: string): Promise<void>;
  /** Sends a message to every other process subscribed to the session. */
  publish(sessionId: string, message: FanoutMessage): void;
  /** Called after a lost connection is restored (messages may be lost). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export class LocalFanout implements Fanout {
  readonly processId: string;

  constructor(processId: string) {
    this.processId = processId;
  }

  async subscribe(): Promise<void> {}
  async unsubscribe(): Promise<void> {}
  publish(): void {}
  onReconnect(): void {}
  async close(): Promise<void> {}
}
