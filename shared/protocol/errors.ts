/**
 * Refusals the server can answer with. Each is a named `{ code, reason }`
 * value, sent in socket acks, `session:error` events and HTTP error bodies.
 * The reason is a default, human-readable sentence; `detail` (when present)
 * says what exactly was wrong with the request.
 */
export const ErrorCodes = {
  /** No session has this id (or it was never created). */
  SESSION_NOT_FOUND: {
    code: "SESSION_NOT_FOUND",
    reason: "No session has this id.",
  },
  /** The token is neither the session's edit token nor its view token. */
  UNAUTHORIZED: {
    code: "UNAUTHORIZED",
    reason: "The token does not grant access to this session.",
  },
  /** A view-only client tried to change the document or start a job. */
  READ_ONLY: {
    code: "READ_ONLY",
    reason: "This link is view-only; edits and jobs are refused.",
  },
  /** A socket sent a document or job message before joining a session. */
  NOT_JOINED: {
    code: "NOT_JOINED",
    reason: "Join a session before sending document messages.",
  },
  /** A message or body exceeds the size limit for its kind. */
  PAYLOAD_TOO_LARGE: {
    code: "PAYLOAD_TOO_LARGE",
    reason: "The message is larger than the server accepts.",
  },
  /** A message does not have the shape its event requires. */
  INVALID_MESSAGE: {
    code: "INVALID_MESSAGE",
    reason: "The message does not match the protocol.",
  },
  /** Bytes that do not decode as a Yjs sync/awareness message or update. */
  MALFORMED_UPDATE: {
    code: "MALFORMED_UPDATE",
    reason: "The update could not be decoded; the document is unchanged.",
  },
  /** An update would leave the document outside its schema. */
  INVALID_DOCUMENT: {
    code: "INVALID_DOCUMENT",
    reason: "The update would break the session document's schema.",
  },
  /** The job queue is full. */
  BUSY: {
    code: "BUSY",
    reason: "The server is busy; try again shortly.",
  },
  /** The socket sent messages faster than its rate allowance. */
  RATE_LIMITED: {
    code: "RATE_LIMITED",
    reason: "Too many messages; slow down.",
  },
  /** The rule id does not exist in the session document. */
  RULE_NOT_FOUND: {
    code: "RULE_NOT_FOUND",
    reason: "The session has no rule with this id.",
  },
  /** The rule cannot be solved as written (missing masks, bad layer...). */
  INVALID_RULE: {
    code: "INVALID_RULE",
    reason: "The rule is incomplete or invalid.",
  },
  /** A job ran past its time limit and was abandoned. */
  JOB_TIMEOUT: {
    code: "JOB_TIMEOUT",
    reason: "The job took too long and was stopped.",
  },
  /** A job was cancelled by a user or superseded. */
  JOB_CANCELLED: {
    code: "JOB_CANCELLED",
    reason: "The job was cancelled.",
  },
  /** A job failed for a reason the server did not expect. */
  JOB_FAILED: {
    code: "JOB_FAILED",
    reason: "The job failed.",
  },
  /** The model or engine needed for this request is not available. */
  MODEL_UNAVAILABLE: {
    code: "MODEL_UNAVAILABLE",
    reason: "The generator model is not available on this server.",
  },
  /** The share id does not exist. */
  SHARE_NOT_FOUND: {
    code: "SHARE_NOT_FOUND",
    reason: "No shared snapshot has this id.",
  },
  /** No route or resource matches the request. */
  NOT_FOUND: { code: "NOT_FOUND", reason: "Not found." },
  /** A bug on the server; the log has the cause. */
  INTERNAL: { code: "INTERNAL", reason: "Internal server error." },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The wire form of a refusal. */
export interface ProtocolError {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly detail?: string;
}

/** Builds the wire form of `code`, with an optional specific detail. */
export function protocolError(code: ErrorCode, detail?: string): ProtocolError {
  const { reason } = ErrorCodes[code];
  return detail === undefined ? { code, reason } : { code, reason, detail };
}

/** An error the server and the app expect and handle; carries a code. */
export class RewriteError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail ?? ErrorCodes[code].reason, options);
    this.name = "RewriteError";
    this.code = code;
    this.detail = detail;
  }

  toProtocol(): ProtocolError {
    return protocolError(this.code, this.detail);
  }
}

/** Whether `value` is a wire refusal (e.g. an ack payload). */
export function isProtocolError(value: unknown): value is ProtocolError {
  if (typeof value !== "object" || value === null) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === "string" && code in ErrorCodes;
}
