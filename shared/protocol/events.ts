/**
 * Socket.io events between the app and the server. Names are written once,
 * in `Events`; payload types once, in the two event maps below.
 *
 * Flow: connect → `session:join` (ack says the role) → the server sends a
 * y-protocols sync step 1 on `sync:message`; the client answers with step 2
 * and sends its own step 1; then both sides send sync updates. Every
 * client `sync:message` is acknowledged once it is durably stored (or
 * refused, with the document unchanged). Awareness (name, colour, cursor,
 * tool, current image) travels as y-protocols awareness updates.
 *
 * Binary payloads are `Uint8Array` on the client; the server receives them
 * as Node `Buffer`s (a `Uint8Array` subclass).
 */
import type { ProtocolError } from "./errors";

export const Events = {
  join: "session:join",
  sync: "sync:message",
  awareness: "awareness:update",
  ruleExecute: "rule:execute",
  ruleCancel: "rule:cancel",
  jobProgress: "job:progress",
  jobFinished: "job:finished",
  renderReady: "render:ready",
  error: "session:error",
} as const;

/** Socket.io path the server listens on (the default one). */
export const SOCKET_PATH = "/socket.io";

/** Byte limits the server enforces; larger messages get PAYLOAD_TOO_LARGE. */
export const Limits = {
  /** One sync message (an update or a step 2). */
  syncMessageBytes: 2 * 1024 * 1024,
  /** One awareness update. */
  awarenessBytes: 16 * 1024,
  /** One awareness state, as JSON. */
  awarenessStateBytes: 4 * 1024,
  /** Any socket.io packet; beyond it the transport drops the socket. */
  transportBytes: 4 * 1024 * 1024,
  /** A JSON HTTP body. */
  httpBodyBytes: 1024 * 1024,
} as const;

export type Role = "edit" | "view";

/** An ack: success with a payload, or a refusal. */
export type Ack<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; error: ProtocolError };

export interface JoinRequest {
  sessionId: string;
  /** The edit or view token from the session's link. */
  token: string;
}

export type JoinAck = Ack<{
  sessionId: string;
  role: Role;
  model: string;
  /** Server's Y.Doc client id is irrelevant; this names the server node. */
  serverId: string;
}>;

export interface RuleJobRequest {
  ruleId: string;
}

export type RuleJobAck = Ack<{ jobId: string }>;

export type JobKind = "solve" | "render";

export interface JobProgress {
  sessionId: string;
  jobId: string;
  kind: JobKind;
  /** The rule being solved; null for render jobs. */
  ruleId: string | null;
  /** Short name of the current step, e.g. "keys", "solve", "render". */
  phase: string;
  /** Fraction done, in [0, 1]. */
  progress: number;
}

export interface JobFinished {
  sessionId: string;
  jobId: string;
  kind: JobKind;
  ruleId: string | null;
  status: "done" | "failed" | "cancelled";
  error: ProtocolError | null;
  /** Wall time of the job in milliseconds. */
  ms: number;
}

export interface RenderReady {
  sessionId: string;
  /** Hash of the rule set the images show; use it in image URLs. */
  rulesHash: string;
  seeds: number[];
}

export interface ClientToServerEvents {
  [Events.join]: (request: JoinRequest, ack: (result: JoinAck) => void) => void;
  [Events.sync]: (message: Uint8Array, ack?: (result: Ack) => void) => void;
  [Events.awareness]: (update: Uint8Array) => void;
  [Events.ruleExecute]: (
    request: RuleJobRequest,
    ack: (result: RuleJobAck) => void,
  ) => void;
  [Events.ruleCancel]: (
    request: RuleJobRequest,
    ack: (result: Ack) => void,
  ) => void;
}

export interface ServerToClientEvents {
  [Events.sync]: (message: Uint8Array) => void;
  [Events.awareness]: (update: Uint8Array) => void;
  [Events.jobProgress]: (progress: JobProgress) => void;
  [Events.jobFinished]: (finished: JobFinished) => void;
  [Events.renderReady]: (ready: RenderReady) => void;
  /** A refusal of a message that had no ack (e.g. awareness). */
  [Events.error]: (error: ProtocolError) => void;
}
