/**
 * Validates a y-protocols awareness update before it is applied: it must
 * decode, and every state must be null (gone) or a small object matching
 * `awarenessStateSchema`.
 */
import * as decoding from "lib0/decoding";
import { awarenessStateSchema, Limits, RewriteError } from "@/shared/protocol";
import { describe } from "./syncMessages";

/** Returns the client ids the update speaks for; throws when invalid. */
export function checkAwarenessUpdate(update: Uint8Array): number[] {
  const clients: number[] = [];
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      clients.push(decoding.readVarUint(decoder));
      decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      if (json.length > Limits.awarenessStateBytes) {
        throw new RewriteError("PAYLOAD_TOO_LARGE", "awareness state too large");
      }
      const state: unknown = JSON.parse(json);
      if (state !== null && !awarenessStateSchema.safeParse(state).success) {
        throw new RewriteError("INVALID_MESSAGE", "awareness state has wrong shape");
      }
    }
    if (decoding.hasContent(decoder)) throw new Error("trailing bytes");
  } catch (cause) {
    if (cause instanceof RewriteError) throw cause;
    throw new RewriteError("MALFORMED_UPDATE", describe(cause), { cause });
  }
  return clients;
}
