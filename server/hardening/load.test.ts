/**
 * Load: 30 clients edit one session while 10 more sessions are edited at
 * the same time, for a bounded time, against a server process. Afterwards
 * every document has converged and holds every acknowledged edit, and the
 * server's resident memory stayed bounded. Then a flood of rewrite jobs is
 * answered promptly, with BUSY beyond the queue, instead of hanging.
 *
 * REWRITE_HARDENING_SCALE multiplies the duration (10 s quick).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addRule, Events, newRuleEntry, readRule, type RuleJobAck, updateRule } from "@/shared/protocol";
import { type ChildServer, startChildServer, stopChild } from "../testing/childServer";
import { pasteRule } from "../testing/rules";
import { TestClient } from "../testing/testClient";
import { createSession, MODEL_DIR, tempDir, waitFor } from "../testing/testServer";
import { closeSettled, documentJson, documentView, hardeningScale, healthStatus, rssKiB } from "./support";

const SCALE = hardeningScale();
const DURATION_MS = 10_000 * SCALE;
const CROWD = 30;
const SIDE_SESSIONS = 10;
const CLIENTS_PER_SIDE_SESSION = 3;
/** RSS may not grow by more than this between the first and the last sample under load. */
const RSS_GROWTH_LIMIT_KIB = 256 * 1024;
const RSS_LIMIT_KIB = 3 * 1024 * 1024;
const JOB_QUEUE = 2;

let server: ChildServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startChildServer({
    REWRITE_DB: path.join(tempDir("rewrite-load-"), "load.sqlite"),
    REWRITE_MODELS: MODEL_DIR,
    REWRITE_JOB_CONCURRENCY: "1",
    REWRITE_JOB_QUEUE: String(JOB_QUEUE),
  });
});

afterAll(async () => {
  await closeSettled(clients);
  if (server) await stopChild(server.process, "SIGKILL");
});

async function connect(sessionId: string, token: string): Promise<TestClient> {
  const client = await TestClient.synced(server.url, sessionId, token);
  clients.push(client);
  return client;
}

/** A client that owns one rule and renames it again and again, one acknowledged edit at a time. */
interface Writer {
  readonly client: TestClient;
  readonly ruleId: string;
  lastAcked: string;
  edits: number;
}

async function writersFor(clientCount: number): Promise<{ session: Awaited<ReturnType<typeof createSession>>; writers: Writer[] }> {
  const session = await createSession(server.url);
  const writers: Writer[] = [];
  for (let c = 0; c < clientCount; c++) {
    const client = await connect(session.id, session.editToken);
    const ruleId = `w${c}`;
    const ack = await client.edit((doc) => addRule(doc, newRuleEntry(ruleId, null, "0")));
    expect(ack.ok).toBe(true);
    writers.push({ client, ruleId, lastAcked: "0", edits: 0 });
  }
  return { session, writers };
}

async function keepEditing(writer: Writer, until: number, refusals: string[]): Promise<void> {
  while (Date.now() < until) {
    const name = String(writer.edits + 1);
    const ack = await writer.client.edit((doc) => updateRule(doc, writer.ruleId, { name }));
    if (!ack.ok) {
      refusals.push(ack.error.code);
      // RATE_LIMITED is a fair answer under load; back off and resend later.
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    writer.edits++;
    writer.lastAcked = name;
  }
}

describe("load: many clients and sessions at once", () => {
  it(`converges with every acknowledged edit and bounded memory (${CROWD} clients + ${SIDE_SESSIONS} sessions, ${DURATION_MS / 1000} s)`, async () => {
    const crowd = await writersFor(CROWD);
    const sides = [];
    for (let s = 0; s < SIDE_SESSIONS; s++) sides.push(await writersFor(CLIENTS_PER_SIDE_SESSION));
    const all = [crowd, ...sides];

    const pid = server.process.pid!;
    const samples: number[] = [rssKiB(pid)];
    const sampler = setInterval(() => samples.push(rssKiB(pid)), 250);
    const refusals: string[] = [];
    const until = Date.now() + DURATION_MS;
    try {
      await Promise.all(all.flatMap(({ writers }) => writers.map((w) => keepEditing(w, until, refusals))));
    } finally {
      clearInterval(sampler);
    }
    samples.push(rssKiB(pid));

    const unexpected = refusals.filter((code) => code !== "RATE_LIMITED");
    expect(unexpected).toEqual([]);
    for (const { session, writers } of all) {
      const expected = Object.fromEntries(writers.map((w) => [w.ruleId, w.lastAcked]));
      const names = (client: TestClient) => Object.fromEntries(writers.map((w) => [w.ruleId, readRule(client.doc, w.ruleId)?.name]));
      await waitFor(() => writers.every((w) => JSON.stringify(names(w.client)) === JSON.stringify(expected)), 30_000, `session ${session.id} to converge`);
      const fresh = await documentJson(server.url, session.id, session.viewToken);
      for (const w of writers) expect(documentView(w.client.doc)).toBe(fresh);
    }
    const edits = all.flatMap(({ writers }) => writers).reduce((n, w) => n + w.edits, 0);
    expect(edits).toBeGreaterThan(CROWD + SIDE_SESSIONS);
    expect(Math.max(...samples)).toBeLessThan(RSS_LIMIT_KIB);
    expect(samples.at(-1)! - samples[0]!, `RSS samples (KiB): ${samples.join(", ")}`).toBeLessThan(RSS_GROWTH_LIMIT_KIB);
    expect(await healthStatus(server.url)).toBe(200);
    const rate = refusals.filter((code) => code === "RATE_LIMITED").length;
    process.stdout.write(
      `load: ${edits} acknowledged edits in ${DURATION_MS / 1000} s (${(edits / (DURATION_MS / 1000)).toFixed(0)}/s), ` +
        `${rate} RATE_LIMITED, RSS ${(samples[0]! / 1024).toFixed(0)} → max ${(Math.max(...samples) / 1024).toFixed(0)} → ` +
        `${(samples.at(-1)! / 1024).toFixed(0)} MiB\n`,
    );
  }, 90_000 + 2 * DURATION_MS);

  it("answers a flood of rewrite jobs promptly, with BUSY beyond the queue", async () => {
    const session = await createSession(server.url);
    const editor = await connect(session.id, session.editToken);
    const count = 3 * (JOB_QUEUE + 1) + 2;
    for (let k = 0; k < count; k++) {
      const ack = await editor.edit((doc) => addRule(doc, newRuleEntry(`job${k}`, pasteRule({ ridge: 0.01 * (k + 1) }))));
      expect(ack.ok).toBe(true);
    }

    const started = Date.now();
    const acks = await Promise.all(
      Array.from({ length: count }, (_, k) =>
        editor.socket.timeout(10_000).emitWithAck(Events.ruleExecute, { ruleId: `job${k}` }) as Promise<RuleJobAck>,
      ),
    );
    const answeredMs = Date.now() - started;
    expect(await healthStatus(server.url)).toBe(200);

    const busy = acks.filter((a) => !a.ok && a.error.code === "BUSY").length;
    const accepted = acks.filter((a) => a.ok).length;
    expect(acks.filter((a) => !a.ok && a.error.code !== "BUSY")).toEqual([]);
    expect(busy).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(1 + JOB_QUEUE);
    expect(answeredMs).toBeLessThan(10_000);
    await waitFor(() => editor.finished.filter((f) => f.kind === "solve").length >= accepted, 120_000, "accepted jobs to finish");
    process.stdout.write(`job flood: ${count} requests answered in ${answeredMs} ms: ${accepted} accepted, ${busy} BUSY\n`);
  });
});
