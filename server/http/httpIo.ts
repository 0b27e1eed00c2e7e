/** Reading JSON bodies and writing JSON, binary and error responses. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ErrorCode, protocolError, RewriteError } from "@/shared/protocol";

/** HTTP status of each refusal. */
const STATUS: Record<ErrorCode, number> = {
  SESSION_NOT_FOUND: 404,
  SHARE_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  READ_ONLY: 403,
  NOT_JOINED: 400,
  INVALID_MESSAGE: 400,
  INVALID_RULE: 400,
  MALFORMED_UPDATE: 400,
  INVALID_DOCUMENT: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BUSY: 503,
  MODEL_UNAVAILABLE: 503,
  JOB_TIMEOUT: 504,
  JOB_CANCELLED: 409,
  JOB_FAILED: 500,
  INTERNAL: 500,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function sendError(res: ServerResponse, cause: unknown): void {
  const error = cause instanceof RewriteError ? cause.toProtocol() : protocolError("INTERNAL");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, STATUS[error.code], { error });
}

export interface BinaryOptions {
  readonly contentType: string;
  readonly etag: string;
  /** Content addressed by the URL: cache for a year. */
  readonly immutable: boolean;
  readonly filename?: string;
}

/** Sends bytes with caching headers; answers 304 when the ETag matches. */
export function sendBinary(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Uint8Array,
  options: BinaryOptions,
): void {
  const headers: Record<string, string | number> = {
    "content-type": options.contentType,
    etag: options.etag,
    "cache-control": options.immutable
      ? "private, max-age=31536000, immutable"
      : "private, no-cache",
  };
  if (options.filename !== undefined) {
    headers["content-disposition"] = `attachment; filename="${options.filename}"`;
  }
  if (req.headers["if-none-match"] === options.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "content-length": bytes.byteLength });
  res.end(bytes);
}

/** Reads a JSON body of at most `limit` bytes; an empty body reads as {}. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new RewriteError("PAYLOAD_TOO_LARGE", `body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RewriteError("PAYLOAD_TOO_LARGE", `body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RewriteError("INVALID_MESSAGE", "body is not JSON");
  }
}

/** The token from `Authorization: Bearer …` or the `token` query parameter. */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice("Bearer ".length).trim();
  return url.searchParams.get("token");
}
