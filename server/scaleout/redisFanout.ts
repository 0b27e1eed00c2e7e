/**
 * Fan-out over Redis pub/sub: one channel per session,
 * `rewrite:session:<id>`. A message is one byte of kind (0 doc,
 * 1 awareness), one byte of sender-id length, the sender id, then the
 * update. Messages from this process are ignored when they come back.
 *
 * Pub/sub does not queue for a disconnected subscriber, so after a
 * reconnection the rooms re-read their history from the shared SQLite file
 * (`onReconnect`).
 */
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Fanout, FanoutHandler, FanoutMessage } from "./fanout";

const PREFIX = "rewrite:session:";
const KINDS = ["doc", "awareness"] as const;

export class RedisFanout implements Fanout {
  readonly processId: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, FanoutHandler>();
  private readonly reconnectListeners: (() => void)[] = [];
  private readonly logger: Logger;

  private constructor(url: string, processId: string, logger: Logger) {
    this.processId = processId;
    this.logger = logger;
    this.publisher = new Redis(url, { lazyConnect: true });
    this.subscriber = new Redis(url, { lazyConnect: true });
    this.subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) =>
      this.deliver(channel.toString(), message),
    );
    for (const client of [this.publisher, this.subscriber]) {
      client.on("error", (err: unknown) => this.logger.error({ err }, "redis connection error"));
    }
  }

  /** Connects both Redis clients; rejects if Redis is unreachable. */
  static async connect(url: string, processId: string, logger: Logger): Promise<RedisFanout> {
    const fanout = new RedisFanout(url, processId, logger);
    await Promise.all([fanout.publisher.connect(), fanout.subscriber.connect()]);
    let connectedOnce = false;
    fanout.subscriber.on("ready", () => {
      if (connectedOnce) for (const listener of fanout.reconnectListeners) listener();
      connectedOnce = true;
    });
    connectedOnce = true;
    return fanout;
  }

  async subscribe(sessionId: string, handler: FanoutHandler): Promise<void> {
    this.handlers.set(sessionId, handler);
    await this.subscriber.subscribe(PREFIX + sessionId);
  }

  async unsubscribe(sessionId: string): Promise<void> {
    this.handlers.delete(sessionId);
    await this.subscriber.unsubscribe(PREFIX + sessionId);
  }

  publish(sessionId: string, message: FanoutMessage): void {
    const sender = Buffer.from(this.processId);
    const header = Buffer.from([KINDS.indexOf(message.kind), sender.length]);
    const payload = Buffer.concat([header, sender, message.data]);
    this.publisher.publish(PREFIX + sessionId, payload).catch((err: unknown) => {
      this.logger.error({ err, session: sessionId }, "redis publish failed");
    });
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** The Redis clients, for the socket.io adapter. */
  get clients(): { publisher: Redis; subscriber: Redis } {
    return { publisher: this.publisher, subscriber: this.subscriber };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }

  private deliver(channel: string, payload: Buffer): void {
    if (!channel.startsWith(PREFIX) || payload.length < 2) return;
    const handler = this.handlers.get(channel.slice(PREFIX.length));
    const kind = KINDS[payload[0]!];
    const senderLength = payload[1]!;
    if (handler === undefined || kind === undefined) return;
    if (payload.toString("utf8", 2, 2 + senderLength) === this.processId) return;
    handler({ kind, data: new Uint8Array(payload.subarray(2 + senderLength)) });
  }
}
