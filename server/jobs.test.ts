import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { latentBatch } from "@/shared/latent";
import {
  addRule,
  Events,
  imagePath,
  newRuleEntry,
  readRule,
  readSessionMeta,
  type RuleEntry,
  type ShareResponse,
  type SnapshotResponse,
  updateRule,
} from "@/shared/protocol";
import { ClientPool } from "./testing/clientPool";
import { TestClient } from "./testing/testClient";
import { pasteRule } from "./testing/rules";
import { createSession, startTestServer, type TestServer, waitFor } from "./testing/testServer";

let server: TestServer;
const pool = new ClientPool(() => server.url);
const join = pool.join;

async function getPng(sessionId: string, seed: number, rulesHash: string, token: string): Promise<PNG> {
  const response = await fetch(`${server.url}${imagePath(sessionId, seed, rulesHash)}&token=${token}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toContain("immutable");
  return PNG.sync.read(Buffer.from(await response.arrayBuffer()));
}

function meanAbsDifference(a: PNG, b: PNG): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

const ruleDone = (client: TestClient, id: string) => () => readRule(client.doc, id)?.status === "done";

beforeAll(async () => {
  server = await startTestServer({ jobs: { concurrency: 1, maxQueued: 8, timeoutMs: 300_000 } });
});

afterAll(async () => {
  pool.closeAll();
  await server.close();
});

describe("a committed rule", () => {
  let session: Awaited<ReturnType<typeof createSession>>;
  let solved: RuleEntry;
  let originalHash: string;
  let editedHash: string;

  it("is solved once, and both clients see its delta and the re-rendered grid", async () => {
    session = await createSession(server.url, { seeds: [2, 5], layer: "conv16" });
    const alice = await join(session.id, session.editToken);
    const bob = await join(session.id, session.viewToken);
    await waitFor(() => readSessionMeta(alice.doc).render !== null, 120_000, "first render");
    originalHash = readSessionMeta(alice.doc).render!.rulesHash;

    const ack = await alice.edit((doc) => addRule(doc, newRuleEntry("r1", pasteRule(), "centre")));
    expect(ack.ok).toBe(true);
    const started = await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "r1" });
    expect(started).toMatchObject({ ok: true });

    await waitFor(ruleDone(bob, "r1"), 240_000, "rule solved");
    solved = readRule(bob.doc, "r1")!;
    expect(solved.deltaHash).toMatch(/^[0-9a-f]{64}$/);
    expect(readRule(alice.doc, "r1")).toEqual(solved);

    const changed = (c: TestClient) => () => c.renders.some((r) => r.rulesHash !== originalHash);
    await waitFor(changed(alice), 120_000, "alice's render");
    await waitFor(changed(bob), 120_000, "bob's render");
    editedHash = bob.renders.at(-1)!.rulesHash;
    expect(alice.renders.at(-1)!.rulesHash).toBe(editedHash);
    expect(readSessionMeta(bob.doc).render?.rulesHash).toBe(editedHash);
    expect(bob.finished.some((f) => f.kind === "solve" && f.ruleId === "r1" && f.status === "done")).toBe(true);
    expect(bob.progress.some((p) => p.ruleId === "r1")).toBe(true);
  });

  it("changes the paste image, served under its rule-set hash", async () => {
    const before = await getPng(session.id, 2, originalHash, session.viewToken);
    const after = await getPng(session.id, 2, editedHash, session.viewToken);
    expect(after.width).toBe(64);
    expect(meanAbsDifference(before, after)).toBeGreaterThan(0.5);
  });

  it("serves the current grid without a hash, revalidated by ETag", async () => {
    const url = `${server.url}/api/sessions/${session.id}/image/2.png?token=${session.viewToken}`;
    const current = await fetch(url);
    expect(current.status).toBe(200);
    expect(current.headers.get("cache-control")).toContain("no-cache");
    const etag = current.headers.get("etag")!;
    const edited = await getPng(session.id, 2, editedHash, session.viewToken);
    const png = PNG.sync.read(Buffer.from(await current.arrayBuffer()));
    expect(meanAbsDifference(png, edited)).toBe(0);
    const again = await fetch(url, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("renders again without the rule when it is disabled", async () => {
    const alice = await join(session.id, session.editToken);
    const count = alice.renders.length;
    await alice.edit((doc) => updateRule(doc, "r1", { enabled: false }));
    await waitFor(() => alice.renders.length > count, 60_000, "render after disabling");
    expect(alice.renders.at(-1)!.rulesHash).toBe(originalHash);
    await alice.edit((doc) => updateRule(doc, "r1", { enabled: true }));
    await waitFor(() => alice.renders.at(-1)?.rulesHash === editedHash, 60_000, "render after enabling");
  });

  it("exports an ONNX model that reproduces the edited image from z alone", async () => {
    const response = await fetch(`${server.url}/api/sessions/${session.id}/export.onnx?token=${session.viewToken}`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const exported = await ort.InferenceSession.create(bytes);
    expect(exported.inputNames).toEqual(["z"]);
    const z = latentBatch([2], 128);
    const result = await exported.run({ z: new ort.Tensor("float32", z, [1, 128]) });
    const image = result.image!.data as Float32Array;

    const served = await getPng(session.id, 2, editedHash, session.viewToken);
    let worst = 0;
    for (let p = 0; p < 64 * 64; p++) {
      for (let c = 0; c < 3; c++) {
        const byte = Math.min(255, Math.max(0, Math.round((image[c * 4096 + p]! + 1) * 127.5)));
        worst = Math.max(worst, Math.abs(byte - served.data[p * 4 + c]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    await exported.release();
  });

  it("is shared as an immutable snapshot and forked into a new session", async () => {
    const snapshot = await fetch(`${server.url}/api/sessions/${session.id}/snapshots`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.editToken}` },
    });
    expect(snapshot.status).toBe(201);
    const { shareId } = (await snapshot.json()) as SnapshotResponse;
    const share = (await (await fetch(`${server.url}/api/shares/${shareId}`)).json()) as ShareResponse;
    expect(share.model).toBe("town64");
    expect(share.rules.map((r) => r.deltaHash)).toEqual([solved.deltaHash]);

    const fork = await fetch(`${server.url}/api/shares/${shareId}/fork`, { method: "POST" });
    expect(fork.status).toBe(201);
    const forked = (await fork.json()) as { id: string; viewToken: string };
    const viewer = await join(forked.id, forked.viewToken);
    expect(readRule(viewer.doc, "r1")).toMatchObject({ status: "done", deltaHash: solved.deltaHash });
    const rules = await (await fetch(`${server.url}/api/sessions/${forked.id}/rules.json?token=${forked.viewToken}`)).json();
    expect(rules).toMatchObject({ model: "town64", rules: [{ id: "r1" }] });
  });
});

describe("rule jobs that cannot run", () => {
  it("refuse an invalid rule with INVALID_RULE before queueing", async () => {
    const session = await createSession(server.url);
    const alice = await join(session.id, session.editToken);
    await alice.edit((doc) => addRule(doc, newRuleEntry("bad", { version: 1, kind: "paste" })));
    const ack = await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "bad" });
    expect(ack).toMatchObject({ ok: false, error: { code: "INVALID_RULE" } });
    expect(readRule(alice.doc, "bad")?.status).toBe("draft");
  });

  it("can be cancelled, and the rule says so", async () => {
    const session = await createSession(server.url);
    const alice = await join(session.id, session.editToken);
    const spec = pasteRule({ paste: pasteRule().copy, copy: pasteRule().paste, layer: "conv32" });
    await alice.edit((doc) => addRule(doc, newRuleEntry("c", spec)));
    expect(await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "c" })).toMatchObject({ ok: true });
    expect(await alice.socket.emitWithAck(Events.ruleCancel, { ruleId: "c" })).toMatchObject({ ok: true });
    await waitFor(() => readRule(alice.doc, "c")?.status === "cancelled", 30_000, "cancelled status");
    await waitFor(() => alice.finished.some((f) => f.ruleId === "c" && f.status === "cancelled"));
  });

  it("stop with JOB_TIMEOUT past the time limit and mark the rule failed", async () => {
    const quick = await startTestServer({ jobs: { concurrency: 1, maxQueued: 4, timeoutMs: 1 } });
    try {
      const session = await createSession(quick.url);
      const alice = await TestClient.synced(quick.url, session.id, session.editToken);
      pool.keep(alice);
      await alice.edit((doc) => addRule(doc, newRuleEntry("slow", pasteRule({ layer: "conv8" }))));
      expect(await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "slow" })).toMatchObject({ ok: true });
      await waitFor(() => readRule(alice.doc, "slow")?.status === "failed", 30_000, "failed status");
      expect(readRule(alice.doc, "slow")?.error?.code).toBe("JOB_TIMEOUT");
    } finally {
      await quick.close();
    }
  });

  it("refuse with BUSY when the queue is full", async () => {
    const busy = await startTestServer({ jobs: { concurrency: 1, maxQueued: 0, timeoutMs: 60_000 } });
    try {
      const session = await createSession(busy.url);
      const alice = await TestClient.synced(busy.url, session.id, session.editToken);
      pool.keep(alice);
      await alice.edit((doc) => {
        addRule(doc, newRuleEntry("one", pasteRule()));
        addRule(doc, newRuleEntry("two", pasteRule({ layer: "conv32" })));
      });
      const first = await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "one" });
      const second = await alice.socket.emitWithAck(Events.ruleExecute, { ruleId: "two" });
      const acks = { one: first, two: second };
      const refused = Object.entries(acks).filter(([, a]) => !a.ok);
      expect(refused.length).toBeGreaterThan(0);
      for (const [id, ack] of refused) {
        expect(ack).toMatchObject({ ok: false, error: { code: "BUSY" } });
        expect(readRule(alice.doc, id)?.status).toBe("draft");
      }
    } finally {
      await busy.close();
    }
  });
});
