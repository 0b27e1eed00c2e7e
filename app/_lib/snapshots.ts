import type { ShareResponse, SnapshotResponse } from "@/shared/protocol/api";
import { isProtocolError } from "@/shared/protocol/errors";

/**
 * HTTP calls for snapshots: freezing a session's rules into a share, and
 * reading a share back. Refusals become Errors carrying the server's reason.
 */

async function refusal(response: Response): Promise<Error> {
  const body: unknown = await response.json().catch(() => null);
  const error = (body as { error?: unknown } | null)?.error;
  return new Error(isProtocolError(error) ? (error.detail ?? error.reason) : `HTTP ${response.status}`);
}

export async function takeSnapshot(sessionId: string, token: string): Promise<SnapshotResponse> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/snapshots`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as SnapshotResponse;
}

export async function readShare(shareId: string): Promise<ShareResponse> {
  const response = await fetch(`/api/shares/${encodeURIComponent(shareId)}`);
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as ShareResponse;
}

/** The app path showing a share (`/m/<id>`). */
export function sharePath(shareId: string): string {
  return `/m/${encodeURIComponent(shareId)}`;
}
