/**
 * Decides whether a client's Yjs update may enter a session document,
 * without touching that document: the update is applied to a scratch copy
 * first, which is then checked against the session schema.
 */
import * as Y from "yjs";
import { findSchemaViolation, RewriteError, sessionMap } from "@/shared/protocol";
import { describe, isEmptyUpdate } from "./syncMessages";

/** Whether an update is a no-op; throws MALFORMED_UPDATE if it won't decode. */
export function isEmptyUpdateOrThrow(update: Uint8Array): boolean {
  try {
    return isEmptyUpdate(update);
  } catch (cause) {
    throw new RewriteError("MALFORMED_UPDATE", describe(cause), { cause });
  }
}

/**
 * Returns when `update` applies to a copy of `doc` and leaves it valid
 * (schema, and the session's model unchanged); throws MALFORMED_UPDATE or
 * INVALID_DOCUMENT otherwise. `doc` itself is never modified.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, model: string): void {
  const scratch = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    try {
      Y.applyUpdate(scratch, update);
    } catch (cause) {
      throw new RewriteError("MALFORMED_UPDATE", describe(cause), { cause });
    }
    const violation = findSchemaViolation(scratch);
    if (violation !== null) throw new RewriteError("INVALID_DOCUMENT", violation);
    if (sessionMap(scratch).get("model") !== model) {
      throw new RewriteError("INVALID_DOCUMENT", "the session's model cannot change");
    }
  } finally {
    scratch.destroy();
  }
}
