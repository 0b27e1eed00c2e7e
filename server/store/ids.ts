/** Unguessable identifiers and tokens, and constant-time token checks. */
import crypto from "node:crypto";

/** A random id of `bytes` bytes, base64url (no padding). */
export function randomId(bytes: number): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/** Session and share ids: 96 random bits. */
export const newSessionId = (): string => randomId(12);
export const newShareId = (): string => randomId(12);
/** Edit and view tokens: 192 random bits. */
export const newToken = (): string => randomId(24);

/** Compares two secrets in time independent of where they differ. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Hex SHA-256 of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}
