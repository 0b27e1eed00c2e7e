/**
 * Fuzz: a real server process gets a seeded stream of malformed and hostile
 * inputs over sockets (sync, awareness, join, rule jobs), HTTP (bodies,
 * paths, raw request lines) and rule specs. Every one must be refused with
 * an error, the server must stay up, and no session's document may change.
 *
 * Replay a failure with REWRITE_FUZZ_SEED=<seed printed in the message>;
 * REWRITE_HARDENING_SCALE multiplies the count (see support.ts).
 */
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  type Ack,
  addRule,
  Events,
  newRuleEntry,
  type ProtocolError,
  readRule,
  readSessionMeta,
  seedsArray,
  sessionMap,
  updateRule,
} from "@/shared/protocol";
import type { RuleContext } from "@/shared/rewrite";
import { type ChildServer, startChildServer, stopChild } from "../testing/childServer";
import { pasteRule } from "../testing/rules";
import { TestClient, updateMessage } from "../testing/testClient";
import { createSession, MODEL_DIR, tempDir, waitFor } from "../testing/testServer";
import {
  hostileAwareness,
  hostileRuleSpec,
  hostileString,
  hostileSyncMessage,
  hostileValue,
  PATH_LIKE,
  realUpdate,
} from "./hostileInputs";
import { closeSettled, documentJson, fuzzSeed, hardeningScale, healthStatus, rawHttpStatus, Rng } from "./support";
import manifest from "../../models/town64/manifest.json";

const SCALE = hardeningScale();
const SEED = fuzzSeed();
const INPUTS = Math.round(1000 * SCALE);
/** Per-socket spacing that keeps under the server's message allowance (100/s). */
const SOCKET_GAP_MS = 12;
const AWARENESS_GAP_MS = 40;

type RawSocket = Socket & { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };

interface Session {
  readonly id: string;
  readonly editToken: string;
  readonly viewToken: string;
}

let server: ChildServer;
let main: Session;
let other: Session;
let rules: Session;
const clients: TestClient[] = [];
const unjoined: RawSocket[] = [];

const ruleContext: RuleContext = {
  layers: manifest.layers,
  imageSize: [manifest.resolution, manifest.resolution],
  model: manifest.name,
};

beforeAll(async () => {
  server = await startChildServer({ REWRITE_DB: path.join(tempDir("rewrite-fuzz-"), "fuzz.sqlite"), REWRITE_MODELS: MODEL_DIR });
  [main, other, rules] = [await createSession(server.url, { seeds: [1, 2, 3] }), await createSession(server.url), await createSession(server.url)];
  const editor = await join(main.id, main.editToken);
  await editor.edit((doc) => sessionMap(doc).set("title", "before the fuzz"));
  await join(main.id, main.editToken);
  await join(main.id, main.viewToken);
  const second = await join(other.id, other.editToken);
  await second.edit((doc) => seedsArray(doc).push([42]));
  const ruleEditor = await join(rules.id, rules.editToken);
  await ruleEditor.edit((doc) => addRule(doc, newRuleEntry("fuzz", pasteRule(), "fuzzed rule")));
  for (let i = 0; i < 2; i++) {
    const socket = io(server.url, { transports: ["websocket"], forceNew: true, reconnection: false }) as RawSocket;
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("connect_error", reject));
    unjoined.push(socket);
  }
});

afterAll(async () => {
  await closeSettled(clients);
  for (const socket of unjoined) socket.disconnect();
  if (server) await stopChild(server.process, "SIGKILL");
});

async function join(sessionId: string, token: string): Promise<TestClient> {
  const client = await TestClient.synced(server.url, sessionId, token);
  clients.push(client);
  return client;
}

/** Waits so that one socket never sends faster than `gap` ms apart. */
const lastSend = new Map<unknown, number>();
async function pace(socket: unknown, gap = SOCKET_GAP_MS): Promise<void> {
  const wait = (lastSend.get(socket) ?? 0) + gap - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  lastSend.set(socket, Date.now());
}

function raw(client: TestClient): RawSocket {
  return client.socket as unknown as RawSocket;
}

/** The refusal in an ack, or a failure naming the input. */
function refusal(ack: unknown, what: string): ProtocolError {
  const a = ack as Ack;
  if (a.ok !== false) throw new Error(`${what} was accepted: ${JSON.stringify(ack).slice(0, 200)}`);
  return a.error;
}

interface Tally {
  readonly byCode: Map<string, number>;
  sent: number;
}

describe("fuzz: hostile input against a server process", () => {
  it(`refuses ${INPUTS} malformed inputs, stays up and changes no document (seed ${SEED})`, async () => {
    const rng = new Rng(SEED);
    const [editorA, editorB, viewer, editorOther] = clients as [TestClient, TestClient, TestClient, TestClient];
    let ruleEditor = clients[4]!;
    let lastSpec = JSON.stringify(readRule(ruleEditor.doc, "fuzz")!.spec);
    // The server renders each new session's grid once and records that in the document; wait for
    // it, so that the documents compared at the end can only differ by what the fuzz did.
    await waitFor(() => readSessionMeta(viewer.doc).render !== null, 120_000, "the main grid's first render");
    await waitFor(() => readSessionMeta(editorOther.doc).render !== null, 120_000, "the other grid's first render");
    const before = {
      main: await documentJson(server.url, main.id, main.viewToken),
      other: await documentJson(server.url, other.id, other.viewToken),
    };
    const tally: Tally = { byCode: new Map(), sent: 0 };
    const count = (error: ProtocolError, allowed: readonly string[], what: string) => {
      expect(allowed, `${what} → ${error.code} (${error.detail ?? ""}) [seed ${SEED}]`).toContain(error.code);
      tally.byCode.set(error.code, (tally.byCode.get(error.code) ?? 0) + 1);
      tally.sent++;
    };
    const ownErrors = () => clients.reduce((n, c) => n + c.errors.length, 0);

    const kinds: (() => Promise<void>)[] = [
      // sync:message from an editor: garbage, truncated, bit-flipped, schema-breaking, oversized
      async () => {
        const client = rng.pick([editorA, editorB, editorOther]);
        const sessionDoc = client.doc;
        let message: Uint8Array | null = null;
        while (message === null) message = hostileSyncMessage(rng, sessionDoc, manifest.name);
        await pace(client);
        const what = `sync ${message.byteLength} bytes [${Array.from(message.slice(0, 12)).join(",")}]`;
        count(refusal(await client.sendRaw(message), what), ["MALFORMED_UPDATE", "INVALID_DOCUMENT", "PAYLOAD_TOO_LARGE"], what);
      },
      // sync:message of the wrong type
      async () => {
        const client = rng.pick([editorA, editorOther]);
        const value = hostileValue(rng);
        if (value instanceof Uint8Array) return;
        await pace(client);
        const what = `sync payload ${JSON.stringify(value)?.slice(0, 80)}`;
        count(refusal(await raw(client).emitWithAck(Events.sync, value), what), ["INVALID_MESSAGE"], what);
      },
      // a real edit from a view-only client
      async () => {
        await pace(viewer);
        const what = "edit from a view-only client";
        count(refusal(await viewer.sendRaw(updateMessage(realUpdate(rng, viewer.doc))), what), ["READ_ONLY"], what);
      },
      // document messages and jobs before joining
      async () => {
        const socket = rng.pick(unjoined);
        await pace(socket);
        const event = rng.pick([Events.sync, Events.ruleExecute, Events.ruleCancel]);
        const payload = event === Events.sync ? rng.bytes(1 + rng.int(50)) : { ruleId: hostileString(rng) };
        const what = `${event} before joining`;
        count(refusal(await socket.emitWithAck(event, payload), what), ["NOT_JOINED", "INVALID_MESSAGE"], what);
      },
      // join with hostile ids and tokens
      async () => {
        const socket = rng.pick(unjoined);
        await pace(socket);
        const request = rng.pick([
          () => hostileValue(rng),
          () => ({ sessionId: hostileString(rng), token: hostileString(rng) }),
          () => ({ sessionId: main.id, token: hostileString(rng) }),
          () => ({ sessionId: rng.pick(PATH_LIKE), token: main.editToken }),
          () => ({ sessionId: `${main.id}/../${other.id}`, token: other.editToken }),
        ])();
        const what = `join ${JSON.stringify(request)?.slice(0, 100)}`;
        count(refusal(await socket.emitWithAck(Events.join, request), what), ["INVALID_MESSAGE", "SESSION_NOT_FOUND", "UNAUTHORIZED"], what);
      },
      // rule jobs with hostile or unknown ids, and from a viewer
      async () => {
        const fromViewer = rng.int(4) === 0;
        const client = fromViewer ? viewer : rng.pick([editorA, editorOther]);
        await pace(client);
        const event = rng.pick([Events.ruleExecute, Events.ruleCancel]);
        const request = rng.int(2) === 0 ? hostileValue(rng) : { ruleId: hostileString(rng) };
        const what = `${event} ${JSON.stringify(request)?.slice(0, 80)}${fromViewer ? " (viewer)" : ""}`;
        const allowed = fromViewer ? ["READ_ONLY"] : ["INVALID_MESSAGE", "RULE_NOT_FOUND"];
        count(refusal(await raw(client).emitWithAck(event, request), what), allowed, what);
      },
      // awareness garbage: refused on session:error
      async () => {
        const client = rng.pick([editorA, viewer, editorOther]);
        await pace(`awareness-${client.doc.clientID}`, AWARENESS_GAP_MS);
        const errors = client.errors.length;
        const payload = hostileAwareness(rng, client.awareness);
        client.socket.emit(Events.awareness, payload as Uint8Array);
        const deadline = Date.now() + 10_000;
        while (client.errors.length === errors) {
          if (Date.now() > deadline) throw new Error(`awareness ${String(payload).slice(0, 60)} got no session:error [seed ${SEED}]`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        count(client.errors.at(-1)!, ["INVALID_MESSAGE", "MALFORMED_UPDATE", "PAYLOAD_TOO_LARGE"], "awareness");
      },
      // a hostile rule spec (written as a normal edit), then executed: INVALID_RULE
      async () => {
        let spec: unknown = null;
        while (spec === null || !yjsCanHold(spec)) spec = hostileRuleSpec(rng, ruleContext);
        await pace(ruleEditor);
        const stored = await ruleEditor.edit((doc) => updateRule(doc, "fuzz", { spec }));
        if (!stored.ok) {
          // Refused edits stay in the sender's own document (server/README.md): start it afresh.
          count(stored.error, ["INVALID_DOCUMENT", "PAYLOAD_TOO_LARGE"], "rule spec edit");
          // (The old client stays open until afterAll: closing it mid-sync would reject its pending acks.)
          ruleEditor = await join(rules.id, rules.editToken);
          return;
        }
        lastSpec = JSON.stringify(spec);
        await pace(ruleEditor);
        const what = `rule:execute of spec ${JSON.stringify(spec)?.slice(0, 120)}`;
        count(refusal(await raw(ruleEditor).emitWithAck(Events.ruleExecute, { ruleId: "fuzz" }), what), ["INVALID_RULE"], what);
      },
      // HTTP: hostile bodies, ids, paths and methods
      async () => {
        const { status, what } = await hostileHttp(rng);
        expect(status, `${what} → ${status} [seed ${SEED}]`).toBeGreaterThanOrEqual(400);
        expect(status, `${what} → ${status} [seed ${SEED}]`).toBeLessThan(500);
        const code = `HTTP ${status}`;
        tally.byCode.set(code, (tally.byCode.get(code) ?? 0) + 1);
        tally.sent++;
      },
    ];

    while (tally.sent < INPUTS) await rng.pick(kinds)();

    expect(await healthStatus(server.url)).toBe(200);
    expect(server.process.exitCode).toBeNull();
    expect(JSON.parse(before.main).session.title).toBe("before the fuzz");
    expect(JSON.parse(before.other).seeds).toContain(42);
    expect(await documentJson(server.url, main.id, main.viewToken)).toBe(before.main);
    expect(await documentJson(server.url, other.id, other.viewToken)).toBe(before.other);
    const fuzzed = readRule((await join(rules.id, rules.viewToken)).doc, "fuzz");
    expect(fuzzed).toMatchObject({ status: "draft", progress: 0, error: null, deltaHash: null });
    expect(JSON.stringify(fuzzed!.spec)).toBe(lastSpec);
    expect(tally.byCode.size).toBeGreaterThanOrEqual(8);
    expect(ownErrors()).toBeGreaterThan(0);
    const codes = [...tally.byCode].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
    process.stdout.write(`fuzz (seed ${SEED}): ${tally.sent} refused: ${codes.join(", ")}\n`);
  }, 60_000 + 60_000 * SCALE);
});

/** Whether Yjs can store `value` in a map (it refuses e.g. binary nested in objects). */
function yjsCanHold(value: unknown): boolean {
  const doc = new Y.Doc();
  try {
    doc.getMap("probe").set("value", value);
    return true;
  } catch {
    return false;
  } finally {
    doc.destroy();
  }
}

async function hostileHttp(rng: Rng): Promise<{ status: number; what: string }> {
  const base = server.url;
  const id = () => rng.pick([main.id, hostileString(rng).slice(0, 80)]);
  const choice = rng.int(6);
  if (choice === 0) {
    const body = rng.pick([
      "{",
      "null",
      "[]",
      '"text"',
      "NaN",
      '{"seeds": [NaN]}',
      '{"seeds": [-1]}',
      '{"seeds": "0-9"}',
      '{"seeds": [1e300]}',
      '{"seeds": []}',
      '{"model": 7}',
      '{"layer": "../../etc/passwd"}',
      '{"title": 5}',
      '{"unknown": true}',
      '{"__proto__": {"polluted": true}}',
      JSON.stringify({ title: "t".repeat(201) }),
      JSON.stringify({ seeds: Array.from({ length: 65 }, (_, i) => i) }),
      `{"title": "${"x".repeat(1024 * 1024 + 10)}"}`,
    ]);
    const response = await fetch(`${base}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    await response.arrayBuffer();
    return { status: response.status, what: `POST /api/sessions ${body.slice(0, 60)}` };
  }
  if (choice === 1) {
    const target = rng.pick([
      () => `/api/sessions/${encodeURIComponent(hostileString(rng).slice(0, 200))}`,
      () => `/api/sessions/${main.id}?token=${encodeURIComponent(hostileString(rng).slice(0, 200))}`,
      () => `/api/sessions/${id()}/rules.json?token=${encodeURIComponent(rng.pick(PATH_LIKE))}`,
      () => `/api/sessions/${main.id}/image/${rng.pick(["-1", "99999999999", "1e3", "NaN", "0x10", "4294967296"])}.png?token=${main.viewToken}`,
      () => `/api/sessions/${main.id}/image/1.png?token=${main.viewToken}&rules=${encodeURIComponent(hostileString(rng).slice(0, 100))}`,
      () => `/api/sessions/${main.id}/export.onnx?token=${main.viewToken}&rules=${"0".repeat(63)}g`,
      () => `/api/shares/${encodeURIComponent(hostileString(rng).slice(0, 64))}`,
      () => `/api/${rng.pick(["sessions", "shares", "models/x"])}/${encodeURIComponent(rng.pick(PATH_LIKE))}/fork`,
      () => `/${encodeURIComponent(rng.pick(PATH_LIKE))}`,
    ])();
    const method = rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH"]);
    const response = await fetch(`${base}${target}`, { method, headers: { authorization: `Bearer ${hostileString(rng).slice(0, 50).replace(/[^\x20-\x7e]/g, "x")}` } });
    await response.arrayBuffer();
    // A Bearer header with a wrong token overrides nothing: ?token= wins only when no header.
    return { status: response.status, what: `${method} ${target.slice(0, 120)}` };
  }
  if (choice === 2) {
    const response = await fetch(`${base}/api/sessions/${main.id}/snapshots`, {
      method: "POST",
      headers: { authorization: `Bearer ${rng.pick([main.viewToken, "x", other.editToken])}` },
    });
    await response.arrayBuffer();
    return { status: response.status, what: "POST snapshots with a view or foreign token" };
  }
  const request = rng.pick([
    () => `GET /api/sessions/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    () => `GET /api/sessions/${main.id}/../${other.id}/rules.json?token=${main.viewToken} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    () => `GET ${"/..".repeat(1 + rng.int(50))}/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    () => `GET /api/sessions/%E0%A4%A/rules.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    () => `POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\nConnection: close\r\n\r\n{"title":`,
    () => `POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n{}`,
    () => `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    () => `\u0000\u0001GARBAGE ${hostileString(rng).slice(0, 40)}\r\n\r\n`,
    () => `GET /healthz HTTP/9.9\r\n\r\n`,
    () => `GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n`,
  ])();
  const status = await rawHttpStatus(base, request);
  return { status, what: `raw ${JSON.stringify(request.slice(0, 100))}` };
}

