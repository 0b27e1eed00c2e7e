/**
 * Crash: several clients fire bursts of edits at a server process, which is
 * killed with SIGKILL mid-burst; after a restart on the same SQLite file,
 * every acknowledged edit is there. Each round uses a fresh session; the
 * long version (REWRITE_HARDENING_SCALE) runs more rounds.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Ack,
  addRule,
  newRuleEntry,
  readRule,
  readSeeds,
  seedsArray,
  updateRule,
} from "@/shared/protocol";
import { type ChildServer, startChildServer, stopChild } from "../testing/childServer";
import { TestClient } from "../testing/testClient";
import { createSession, MODEL_DIR, tempDir } from "../testing/testServer";
import { closeSettled, hardeningScale } from "./support";

const SCALE = hardeningScale();
const ROUNDS = Math.round(2 * SCALE);
const CLIENTS = 4;
/** Seeds each client appends (the schema allows 64 per session; the session starts with one). */
const SEEDS_PER_CLIENT = 15;
/** Name changes each client makes to its own rule, interleaved with the seeds. */
const RENAMES_PER_CLIENT = 40;

const children: ChildServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await closeSettled(clients.splice(0));
  for (const child of children.splice(0)) await stopChild(child.process, "SIGKILL");
});

async function start(dbFile: string): Promise<ChildServer> {
  const child = await startChildServer({ REWRITE_DB: dbFile, REWRITE_MODELS: MODEL_DIR });
  children.push(child);
  return child;
}

async function connect(url: string, sessionId: string, token: string): Promise<TestClient> {
  const client = await TestClient.synced(url, sessionId, token);
  clients.push(client);
  return client;
}

/** What one client had acknowledged when the server died. */
interface Acked {
  readonly seeds: number[];
  lastRename: number;
}

describe("crash: SIGKILL during a burst of edits", () => {
  it(`loses no acknowledged edit of ${CLIENTS} clients over ${ROUNDS} kill(s)`, async () => {
    const dbFile = path.join(tempDir("rewrite-crash-"), "crash.sqlite");
    let server = await start(dbFile);
    let totalAcked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const session = await createSession(server.url, { seeds: [0] });
      const writers: TestClient[] = [];
      for (let c = 0; c < CLIENTS; c++) {
        const client = await connect(server.url, session.id, session.editToken);
        expect((await client.edit((doc) => addRule(doc, newRuleEntry(`c${c}`, null, "0")))).ok).toBe(true);
        writers.push(client);
      }

      const acked: Acked[] = writers.map(() => ({ seeds: [], lastRename: 0 }));
      const refusals: string[] = [];
      const pending: Promise<unknown>[] = [];
      const record = (ack: Promise<Ack>, onOk: () => void) =>
        pending.push(ack.then((a) => (a.ok ? onOk() : refusals.push(a.error.code))).catch(() => undefined));
      // Fire everything without waiting; the kill lands somewhere in the middle.
      for (let k = 0; k < RENAMES_PER_CLIENT; k++) {
        writers.forEach((client, c) => {
          const n = k + 1;
          record(client.edit((doc) => updateRule(doc, `c${c}`, { name: String(n) })), () => {
            acked[c]!.lastRename = Math.max(acked[c]!.lastRename, n);
          });
          if (k < SEEDS_PER_CLIENT) {
            const seed = 1000 * (c + 1) + k;
            record(client.edit((doc) => seedsArray(doc).push([seed])), () => acked[c]!.seeds.push(seed));
          }
        });
      }
      const target = Math.floor((CLIENTS * (RENAMES_PER_CLIENT + SEEDS_PER_CLIENT)) / 3);
      const count = () => acked.reduce((n, a) => n + a.seeds.length + a.lastRename, 0);
      const deadline = Date.now() + 30_000;
      while (count() < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
      await stopChild(server.process, "SIGKILL");
      const atKill = acked.map((a) => ({ seeds: [...a.seeds], lastRename: a.lastRename }));
      await Promise.all(pending);
      for (const client of writers) client.close();

      server = await start(dbFile);
      const reader = await connect(server.url, session.id, session.viewToken);
      const stored = readSeeds(reader.doc);
      expect(refusals, `round ${round}`).toEqual([]);
      atKill.forEach((a, c) => {
        for (const seed of a.seeds) expect(stored, `round ${round}, client ${c}, seed ${seed}`).toContain(seed);
        const name = Number(readRule(reader.doc, `c${c}`)?.name);
        expect(name, `round ${round}, client ${c}: last acknowledged rename ${a.lastRename}`).toBeGreaterThanOrEqual(a.lastRename);
      });
      totalAcked += atKill.reduce((n, a) => n + a.seeds.length + a.lastRename, 0);
      expect(atKill.reduce((n, a) => n + a.seeds.length + a.lastRename, 0)).toBeGreaterThan(0);
    }
    expect(totalAcked).toBeGreaterThanOrEqual(ROUNDS * 10);
    process.stdout.write(`crash: ${ROUNDS} SIGKILLs, ${totalAcked} edits acknowledged before them, all found after restart\n`);
  }, 60_000 + 30_000 * ROUNDS);
});
