/**
 * y-protocols sync messages as they travel on `sync:message`: decoding a
 * client's message into step 1 / step 2 / update, and encoding replies.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { RewriteError } from "@/shared/protocol";

export type SyncMessage =
  | { readonly kind: "step1"; readonly stateVector: Uint8Array }
  | { readonly kind: "step2" | "update"; readonly update: Uint8Array };

/** Decodes one sync message; throws MALFORMED_UPDATE on bad bytes. */
export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) throw new Error("trailing bytes");
    switch (type) {
      case syncProtocol.messageYjsSyncStep1:
        Y.decodeStateVector(payload);
        return { kind: "step1", stateVector: payload };
      case syncProtocol.messageYjsSyncStep2:
        return { kind: "step2", update: payload };
      case syncProtocol.messageYjsUpdate:
        return { kind: "update", update: payload };
      default:
        throw new Error(`unknown sync message type ${type}`);
    }
  } catch (cause) {
    throw new RewriteError("MALFORMED_UPDATE", describe(cause), { cause });
  }
}

/** Step 1: "here is my state vector; send me what I lack". */
export function encodeStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Step 2: everything in `doc` that a peer with `stateVector` lacks. */
export function encodeStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

/** An incremental update. */
export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Whether an update carries neither insertions nor deletions. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

export function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
