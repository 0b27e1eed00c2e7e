/**
 * HTTP API of the server: request bodies (zod) and response shapes.
 *
 * Tokens go in `Authorization: Bearer <token>` or a `token` query parameter
 * (for `<img src>`). Errors answer `{ error: ProtocolError }` with a
 * matching HTTP status.
 */
import { z } from "zod";
import { MAX_SEEDS, ruleEntrySchema, seedSchema } from "./doc";

export const createSessionSchema = z
  .object({
    model: z.string().min(1).max(100).optional(),
    layer: z.string().min(1).max(100).optional(),
    seeds: z.array(seedSchema).min(1).max(MAX_SEEDS).optional(),
    title: z.string().max(200).optional(),
  })
  .strict();
export type CreateSessionRequest = z.infer<typeof createSessionSchema>;

export interface CreateSessionResponse {
  id: string;
  editToken: string;
  viewToken: string;
  /** App paths (relative to the server origin) that open the session. */
  editUrl: string;
  viewUrl: string;
}

export interface SessionInfoResponse {
  id: string;
  role: "edit" | "view";
  model: string;
  createdAt: number;
  /** The view link, for callers holding the edit token only. */
  viewUrl?: string;
}

export interface SnapshotResponse {
  shareId: string;
  /** App path showing the shared rule set. */
  url: string;
}

/** An immutable, shared rule set. */
export const shareSchema = z.object({
  id: z.string(),
  model: z.string(),
  layer: z.string(),
  seeds: z.array(seedSchema),
  title: z.string(),
  rules: z.array(ruleEntrySchema),
  createdAt: z.number(),
});
export type ShareResponse = z.infer<typeof shareSchema>;

export interface HealthResponse {
  ok: true;
  serverId: string;
  model: string | null;
  executionProvider: string | null;
  sessionsOpen: number;
  jobs: { running: number; queued: number };
}

/** Path of one rendered grid image. */
export function imagePath(
  sessionId: string,
  seed: number,
  rulesHash?: string,
): string {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/image/${seed}.png`;
  return rulesHash === undefined
    ? base
    : `${base}?rules=${encodeURIComponent(rulesHash)}`;
}

/** App path that opens a session with a token. */
export function sessionAppPath(sessionId: string, token: string): string {
  return `/s/${encodeURIComponent(sessionId)}?token=${encodeURIComponent(token)}`;
}

/** App path that shows a shared rule set. */
export function shareAppPath(shareId: string): string {
  return `/share/${encodeURIComponent(shareId)}`;
}
