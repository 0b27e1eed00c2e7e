/**
 * The rooms loaded on this process: one per session with sockets or jobs,
 * loaded on first use and unloaded (after compaction) once idle.
 */
import type { Logger } from "pino";
import { RewriteError } from "@/shared/protocol";
import type { Fanout } from "../scaleout/fanout";
import type { SessionStore } from "../store/sessionStore";
import { type LocalBroadcast, Room } from "./room";

export interface RoomRegistryOptions {
  readonly store: SessionStore;
  readonly fanout: Fanout;
  readonly logger: Logger;
  readonly broadcastFor: (sessionId: string) => LocalBroadcast;
  readonly compactEvery: number;
  /** Unload a room this long after its last socket and job left. */
  readonly idleMs: number;
  /** Called once per newly loaded room (e.g. to attach job observers). */
  readonly onLoad?: (room: Room) => void;
}

export class RoomRegistry {
  private readonly options: RoomRegistryOptions;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();

  constructor(options: RoomRegistryOptions) {
    this.options = options;
    options.fanout.onReconnect(() => this.reloadAll());
  }

  get size(): number {
    return this.rooms.size;
  }

  /** The loaded room of a session; throws SESSION_NOT_FOUND. */
  async open(sessionId: string): Promise<Room> {
    this.cancelIdle(sessionId);
    let room = this.rooms.get(sessionId);
    if (room === undefined) {
      room = this.load(sessionId);
      this.rooms.set(sessionId, room);
      room.catch(() => this.rooms.delete(sessionId));
    }
    return room;
  }

  /** The room if it is loaded now, without loading it. */
  async peek(sessionId: string): Promise<Room | null> {
    return (await this.rooms.get(sessionId)) ?? null;
  }

  /** Unloads the room later if nobody uses it then. */
  release(room: Room): void {
    if (room.sockets.size > 0 || room.holds > 0) return;
    this.cancelIdle(room.sessionId);
    const timer = setTimeout(() => void this.unloadIfIdle(room), this.options.idleMs);
    timer.unref();
    this.idleTimers.set(room.sessionId, timer);
  }

  /** Compacts and unloads every room (shutdown). */
  async closeAll(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const rooms = await Promise.allSettled([...this.rooms.values()]);
    for (const result of rooms) {
      if (result.status === "fulfilled") await this.unload(result.value);
    }
  }

  private async load(sessionId: string): Promise<Room> {
    const session = this.options.store.get(sessionId);
    if (session === null) throw new RewriteError("SESSION_NOT_FOUND");
    let room: Room | null = null;
    const early: Parameters<Room["receiveRemote"]>[0][] = [];
    // Subscribe before reading the history so nothing falls in between.
    await this.options.fanout.subscribe(sessionId, (message) => {
      if (room === null) early.push(message);
      else room.receiveRemote(message);
    });
    room = new Room({
      sessionId,
      model: session.model,
      store: this.options.store,
      fanout: this.options.fanout,
      logger: this.options.logger,
      broadcast: this.options.broadcastFor(sessionId),
      compactEvery: this.options.compactEvery,
    });
    for (const message of early) room.receiveRemote(message);
    this.options.onLoad?.(room);
    this.options.logger.debug({ session: sessionId }, "room loaded");
    return room;
  }

  private async unloadIfIdle(room: Room): Promise<void> {
    this.idleTimers.delete(room.sessionId);
    if (room.sockets.size > 0 || room.holds > 0) return;
    await this.unload(room);
  }

  private async unload(room: Room): Promise<void> {
    this.rooms.delete(room.sessionId);
    room.compact();
    room.destroy();
    await this.options.fanout.unsubscribe(room.sessionId).catch(() => undefined);
    this.options.logger.debug({ session: room.sessionId }, "room unloaded");
  }

  private cancelIdle(sessionId: string): void {
    const timer = this.idleTimers.get(sessionId);
    if (timer !== undefined) clearTimeout(timer);
    this.idleTimers.delete(sessionId);
  }

  private reloadAll(): void {
    for (const pending of this.rooms.values()) {
      void pending.then((room) => room.reloadFromStore()).catch(() => undefined);
    }
  }
}
