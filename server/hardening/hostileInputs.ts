/**
 * Generators of malformed and hostile inputs for the fuzz test, each with
 * the refusal the server must answer it with. Inputs that would be
 * legitimate (a fuzzed update that still decodes and changes the document,
 * a fuzzed rule that still validates) are classified locally and dropped,
 * so every input sent must be refused.
 */
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import {
  addRule,
  findSchemaViolation,
  Limits,
  MAX_RULES,
  newRuleEntry,
  rulesMap,
  seedsArray,
  sessionMap,
} from "@/shared/protocol";
import { parseRule, type RuleContext } from "@/shared/rewrite";
import { pasteRule } from "../testing/rules";
import { updateMessage } from "../testing/testClient";
import type { Rng } from "./support";

export const PATH_LIKE = [
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e/%2e%2e/etc/passwd",
  "....//....//etc/passwd",
  "/etc/passwd",
  "..\\..\\windows\\win.ini",
  "\u0000",
  "a\u0000b",
  "%00",
  "${jndi:ldap://127.0.0.1/x}",
  "'; DROP TABLE sessions; --",
  "<script>alert(1)</script>",
  "\u202e\u200b",
  "🦄".repeat(40),
];

/** A string no real id or token equals. */
export function hostileString(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(PATH_LIKE);
    case 1:
      return "x".repeat(rng.pick([0, 65, 129, 5000, 100_000]));
    case 2:
      return String.fromCharCode(...Array.from({ length: 1 + rng.int(30) }, () => rng.int(0xd7ff)));
    default:
      return `missing-${rng.int(1e9)}`;
  }
}

/** A value of any JSON-ish type, including the ones JSON cannot carry. */
export function hostileValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return rng.pick([true, false]);
    case 2:
      return rng.pick([0, -1, 1e308, -0, NaN, Infinity, -Infinity, 2 ** 53 + 1]);
    case 3:
      return hostileString(rng);
    case 4:
      return [hostileString(rng), rng.int(10)];
    case 5:
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
    case 6:
      return nested(1 + rng.int(200));
    case 7:
      return rng.bytes(rng.int(64));
    case 8:
      return { sessionId: rng.bytes(8), token: [1, 2] };
    case 9:
      return { ruleId: rng.pick([{}, [], 12, null, true]) };
    case 10:
      return {};
    default:
      return Array.from({ length: rng.int(1000) }, () => rng.int(256));
  }
}

function nested(depth: number): unknown {
  let value: unknown = "deep";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** What a fuzzed sync message is, judged locally against the current document. */
export type SyncVerdict = "refused" | "benign";

/**
 * A sync message that the server must refuse for `doc` (its current state):
 * random bytes, unknown message types, truncated or bit-flipped real
 * updates, updates that break the schema, or oversized ones. Returns null
 * when the candidate turned out benign (the caller draws again).
 */
export function hostileSyncMessage(rng: Rng, doc: Y.Doc, model: string): Uint8Array | null {
  const candidate = syncCandidate(rng, doc);
  if (candidate.byteLength > Limits.syncMessageBytes) return candidate;
  return judgeSync(candidate, doc, model) === "refused" ? candidate : null;
}

function syncCandidate(rng: Rng, doc: Y.Doc): Uint8Array {
  switch (rng.int(7)) {
    case 0:
      return rng.bytes(1 + rng.int(300));
    case 1: {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 3 + rng.int(1000));
      encoding.writeVarUint8Array(encoder, rng.bytes(rng.int(40)));
      return encoding.toUint8Array(encoder);
    }
    case 2: {
      const update = realUpdate(rng, doc);
      return updateMessage(update.slice(0, rng.int(update.length)));
    }
    case 3: {
      const update = realUpdate(rng, doc).slice();
      for (let k = 0; k <= rng.int(4); k++) update[rng.int(update.length)]! ^= 1 << rng.int(8);
      return updateMessage(update);
    }
    case 4: {
      const message = updateMessage(realUpdate(rng, doc));
      return message.slice(0, 1 + rng.int(message.length - 1));
    }
    case 5:
      return updateMessage(schemaBreakingUpdate(rng, doc));
    default: {
      if (rng.int(20) === 0) return updateMessage(rng.bytes(Limits.syncMessageBytes + 1 + rng.int(1000)));
      const message = updateMessage(realUpdate(rng, doc));
      const trailing = new Uint8Array(message.length + 1 + rng.int(8));
      trailing.set(message);
      return trailing;
    }
  }
}

/** A legitimate update made on a copy of `doc` (never applied to it). */
export function realUpdate(rng: Rng, doc: Y.Doc): Uint8Array {
  return updateOnCopy(doc, (copy) => {
    if (rng.int(2) === 0) sessionMap(copy).set("title", `fuzz ${rng.int(1e6)}`);
    else addRule(copy, newRuleEntry(`fuzz-${rng.int(1e9)}`, { note: "x" }, "fuzz"));
  });
}

function schemaBreakingUpdate(rng: Rng, doc: Y.Doc): Uint8Array {
  return updateOnCopy(doc, (copy) => {
    switch (rng.int(7)) {
      case 0:
        seedsArray(copy).push([rng.pick([-1, 1.5, 2 ** 40, NaN])]);
        break;
      case 1:
        sessionMap(copy).set("model", hostileString(rng));
        break;
      case 2:
        sessionMap(copy).set("title", "t".repeat(201 + rng.int(1000)));
        break;
      case 3: {
        const map = new Y.Map<unknown>();
        map.set("id", "bad");
        map.set("strength", rng.pick([Infinity, "very", 99, null]));
        rulesMap(copy).set("bad", map);
        break;
      }
      case 4:
        for (let i = 0; i <= MAX_RULES; i++) addRule(copy, newRuleEntry(`many-${i}`, null));
        break;
      case 5:
        seedsArray(copy).push(Array.from({ length: 65 }, (_, i) => i));
        break;
      default:
        sessionMap(copy).set("layer", rng.pick([42, null, ""]));
    }
  });
}

export function updateOnCopy(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => change(copy));
  const update = Y.encodeStateAsUpdate(copy, before);
  copy.destroy();
  return update;
}

/** Whether the server must refuse `message` for a document in state `doc`. */
function judgeSync(message: Uint8Array, doc: Y.Doc, model: string): SyncVerdict {
  const scratch = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    const before = JSON.stringify(scratch.toJSON());
    let update: Uint8Array;
    try {
      update = unwrapUpdate(message);
      Y.applyUpdate(scratch, update);
    } catch {
      return "refused";
    }
    if (findSchemaViolation(scratch) !== null || sessionMap(scratch).get("model") !== model) return "refused";
    // Decodes and keeps the schema: a real edit, a no-op or a pending update; not hostile.
    void before;
    return "benign";
  } finally {
    scratch.destroy();
  }
}

/** The update inside a sync step-2/update message; throws when it is not one. */
function unwrapUpdate(message: Uint8Array): Uint8Array {
  let pos = 0;
  const varUint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= message.length || shift > 35) throw new Error("truncated varuint");
      const byte = message[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const type = varUint();
  if (type !== 1 && type !== 2) throw new Error(`message type ${type}`);
  const length = varUint();
  if (pos + length !== message.length) throw new Error("length mismatch");
  return message.subarray(pos, pos + length);
}

/** An awareness payload the server must refuse (session:error), for a socket's awareness. */
export function hostileAwareness(rng: Rng, awareness: awarenessProtocol.Awareness): unknown {
  switch (rng.int(6)) {
    case 0:
      return hostileValue(rng) ?? "null";
    case 1:
      return new Uint8Array(Limits.awarenessBytes + 1 + rng.int(100));
    case 2: {
      const valid = encodeAwareness(awareness.clientID, 1, JSON.stringify({ name: "ok" }));
      return valid.slice(0, rng.int(valid.length));
    }
    case 3:
      return encodeAwareness(awareness.clientID, 1 + rng.int(100), JSON.stringify({ name: "n".repeat(61 + rng.int(50)) }));
    case 4:
      return encodeAwareness(awareness.clientID, 1, rng.pick(["{", "undefined", "[1,", '{"cursor":{"seed":-1,"x":0,"y":0}}']));
    default:
      return encodeAwareness(awareness.clientID, 1, JSON.stringify({ colour: rng.pick(["red", "#12", "url(x)"]) }));
  }
}

function encodeAwareness(client: number, clock: number, json: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, json);
  return encoding.toUint8Array(encoder);
}

/**
 * A rule spec that fails validation for this model: one field of a valid
 * paste rule corrupted, or a spec of the wrong type. Null when the
 * corruption happens to leave a valid rule.
 */
export function hostileRuleSpec(rng: Rng, context: RuleContext): unknown {
  const spec = structuredClone(pasteRule()) as Record<string, unknown>;
  const region = () => spec[rng.pick(["copy", "paste"])] as { seed: unknown; mask: Record<string, unknown> };
  switch (rng.int(14)) {
    case 0:
      return hostileValue(rng);
    case 1:
      region().mask.bits = rng.pick(["", "!!!notbase64", "AAAA", btoa("x".repeat(10_000)), 42]);
      break;
    case 2:
      region().mask.width = rng.pick([0, -1, 1e9, NaN, "64", 63.5]);
      break;
    case 3:
      spec.layer = rng.pick([...PATH_LIKE, "conv99", "", 7]);
      break;
    case 4:
      spec.rank = rng.pick([0, -1, 1e6, 1.5, "1", Infinity]);
      break;
    case 5:
      spec.kind = rng.pick(["explode", "", null, ["paste"]]);
      break;
    case 6:
      spec.version = rng.pick([0, 2, "1", null]);
      break;
    case 7:
      delete spec.copy;
      break;
    case 8:
      spec.strength = rng.pick([Infinity, -Infinity, NaN, "1"]);
      break;
    case 9:
      spec.context = Array.from({ length: 33 + rng.int(10) }, (_, i) => ({ ...(spec.paste as object), seed: i }));
      break;
    case 10:
      region().seed = rng.pick([-1, 2 ** 33, 1.5, "0"]);
      break;
    case 11:
      region().mask.bits = btoa("\u0000".repeat(512));
      break;
    case 12:
      spec.model = rng.pick(PATH_LIKE);
      break;
    default:
      spec.ridge = rng.pick([-1, NaN, Infinity, "0.1"]);
  }
  try {
    parseRule(spec, context);
    return null;
  } catch {
    return spec;
  }
}
