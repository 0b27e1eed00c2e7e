/**
 * One socket's side of the protocol: join with a token, then sync
 * messages, awareness updates and rule jobs. Every message is checked
 * (shape, size, rate, role) before it can change anything; a refusal is
 * answered in the ack (or on `session:error` when there is no ack).
 */
import type { Logger } from "pino";
import type { Socket } from "socket.io";
import { z } from "zod";
import {
  type Ack,
  type ClientToServerEvents,
  Events,
  type JoinAck,
  Limits,
  protocolError,
  type ProtocolError,
  RewriteError,
  type Role,
  type ServerToClientEvents,
} from "@/shared/protocol";
import type { Room } from "../rooms/room";
import type { RoomRegistry } from "../rooms/roomRegistry";
import { decodeSyncMessage, encodeStep1, encodeStep2 } from "../rooms/syncMessages";
import type { SessionStore } from "../store/sessionStore";
import { TokenBucket, type TokenBucketOptions } from "./tokenBucket";

export type RewriteSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** What the socket layer needs from the job runner. */
export interface RuleJobControl {
  /** Queues the solve job of a rule; returns its id. Throws RewriteError. */
  execute(room: Room, ruleId: string): string;
  /** Cancels the rule's queued or running job; false when there is none. */
  cancel(room: Room, ruleId: string): boolean;
}

export interface ConnectionOptions {
  readonly store: SessionStore;
  readonly rooms: RoomRegistry;
  readonly jobs: RuleJobControl;
  readonly logger: Logger;
  readonly serverId: string;
  /** Allowance for sync messages and job requests, per socket. */
  readonly messageRate: TokenBucketOptions;
  /** Allowance for awareness updates, per socket. */
  readonly awarenessRate: TokenBucketOptions;
}

const joinSchema = z.object({
  sessionId: z.string().min(1).max(64),
  token: z.string().min(1).max(128),
});
const ruleJobSchema = z.object({ ruleId: z.string().min(1).max(64) });

/** Socket.io room name of a session. */
export const socketRoom = (sessionId: string): string => `session:${sessionId}`;

export function attachConnection(socket: RewriteSocket, options: ConnectionOptions): void {
  const messages = new TokenBucket(options.messageRate);
  const awareness = new TokenBucket(options.awarenessRate);
  let joined: { room: Room; role: Role } | null = null;
  let joining = false;

  const fail = (cause: unknown, reply: ((error: ProtocolError) => void) | null): void => {
    const error =
      cause instanceof RewriteError ? cause.toProtocol() : protocolError("INTERNAL");
    if (!(cause instanceof RewriteError)) {
      options.logger.error({ err: cause, socket: socket.id }, "socket handler failed");
    }
    if (reply !== null) reply(error);
    else socket.emit(Events.error, error);
  };

  const requireJoined = (): { room: Room; role: Role } => {
    if (joined === null) throw new RewriteError("NOT_JOINED");
    return joined;
  };

  const requireEditor = (): Room => {
    const { room, role } = requireJoined();
    if (role !== "edit") throw new RewriteError("READ_ONLY");
    return room;
  };

  socket.on(Events.join, async (request: unknown, ack: unknown) => {
    const reply = ackOf<JoinAck>(ack);
    try {
      if (!messages.take()) throw new RewriteError("RATE_LIMITED");
      if (joined !== null || joining) throw new RewriteError("INVALID_MESSAGE", "already joined");
      const parsed = joinSchema.safeParse(request);
      if (!parsed.success) throw new RewriteError("INVALID_MESSAGE", "join needs {sessionId, token}");
      const session = options.store.get(parsed.data.sessionId);
      if (session === null) throw new RewriteError("SESSION_NOT_FOUND");
      const role = options.store.roleFor(session, parsed.data.token);
      if (role === null) throw new RewriteError("UNAUTHORIZED");

      joining = true;
      const room = await options.rooms.open(session.id).finally(() => (joining = false));
      if (socket.disconnected) {
        options.rooms.release(room);
        return;
      }
      room.sockets.add(socket.id);
      joined = { room, role };
      await socket.join(socketRoom(session.id));
      reply?.({ ok: true, sessionId: session.id, role, model: session.model, serverId: options.serverId });
      socket.emit(Events.sync, encodeStep1(room.doc));
      const snapshot = room.awarenessSnapshot();
      if (snapshot !== null) socket.emit(Events.awareness, snapshot);
      options.logger.debug({ session: session.id, socket: socket.id, role }, "joined");
    } catch (cause) {
      fail(cause, reply === null ? null : (error) => reply({ ok: false, error }));
    }
  });

  socket.on(Events.sync, (message: unknown, ack: unknown) => {
    const reply = ackOf<Ack>(ack);
    try {
      if (!messages.take()) throw new RewriteError("RATE_LIMITED");
      const { room, role } = requireJoined();
      const bytes = binaryPayload(message, Limits.syncMessageBytes);
      const sync = decodeSyncMessage(bytes);
      if (sync.kind === "step1") {
        socket.emit(Events.sync, encodeStep2(room.doc, sync.stateVector));
        reply?.({ ok: true });
        return;
      }
      room.receiveUpdate(sync.update, socket.id, () => reply?.({ ok: true }), {
        readOnly: role !== "edit",
      });
    } catch (cause) {
      fail(cause, reply === null ? null : (error) => reply({ ok: false, error }));
    }
  });

  socket.on(Events.awareness, (update: unknown) => {
    try {
      if (!awareness.take()) throw new RewriteError("RATE_LIMITED");
      const { room } = requireJoined();
      room.receiveAwareness(binaryPayload(update, Limits.awarenessBytes), socket.id);
    } catch (cause) {
      fail(cause, null);
    }
  });

  socket.on(Events.ruleExecute, (request: unknown, ack: unknown) => {
    const reply = ackOf<Ack<{ jobId: string }>>(ack);
    try {
      if (!messages.take()) throw new RewriteError("RATE_LIMITED");
      const room = requireEditor();
      const { ruleId } = parseRuleRequest(request);
      reply?.({ ok: true, jobId: options.jobs.execute(room, ruleId) });
    } catch (cause) {
      fail(cause, reply === null ? null : (error) => reply({ ok: false, error }));
    }
  });

  socket.on(Events.ruleCancel, (request: unknown, ack: unknown) => {
    const reply = ackOf<Ack>(ack);
    try {
      if (!messages.take()) throw new RewriteError("RATE_LIMITED");
      const room = requireEditor();
      const { ruleId } = parseRuleRequest(request);
      if (!options.jobs.cancel(room, ruleId)) {
        throw new RewriteError("INVALID_MESSAGE", "the rule has no running or queued job");
      }
      reply?.({ ok: true });
    } catch (cause) {
      fail(cause, reply === null ? null : (error) => reply({ ok: false, error }));
    }
  });

  socket.on("disconnect", () => {
    if (joined === null) return;
    joined.room.leave(socket.id);
    options.rooms.release(joined.room);
    joined = null;
  });
}

function ackOf<T>(ack: unknown): ((result: T) => void) | null {
  return typeof ack === "function" ? (ack as (result: T) => void) : null;
}

function parseRuleRequest(request: unknown): { ruleId: string } {
  const parsed = ruleJobSchema.safeParse(request);
  if (!parsed.success) throw new RewriteError("INVALID_MESSAGE", "expected {ruleId}");
  return parsed.data;
}

/** The bytes of a binary payload; throws on wrong type or size. */
function binaryPayload(payload: unknown, limit: number): Uint8Array {
  if (!(payload instanceof Uint8Array)) {
    throw new RewriteError("INVALID_MESSAGE", "expected a binary payload");
  }
  if (payload.byteLength > limit) {
    throw new RewriteError("PAYLOAD_TOO_LARGE", `${payload.byteLength} bytes > ${limit}`);
  }
  return payload;
}
