import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addRule, newRuleEntry, readRules, seedsArray } from "@/shared/protocol";
import { type ChildServer, startChildServer, stopChild } from "./testing/childServer";
import { type RedisProcess, startRedis } from "./testing/redisServer";
import { TestClient } from "./testing/testClient";
import { createSession, tempDir, waitFor } from "./testing/testServer";

let redis: RedisProcess;
let servers: ChildServer[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const dbFile = path.join(tempDir(), "shared.sqlite");
  const env = { REDIS_URL: redis.url, REWRITE_DB: dbFile };
  servers = await Promise.all([startChildServer(env), startChildServer(env)]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((s) => stopChild(s.process, "SIGTERM")));
  await redis.stop();
});

const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString("base64");

describe("two server processes behind Redis", () => {
  it("run on different ports", () => {
    expect(servers[0]!.url).not.toBe(servers[1]!.url);
  });

  it("show each client the other process's edits and presence", async () => {
    const [a, b] = servers as [ChildServer, ChildServer];
    const session = await createSession(a.url);
    const alice = await TestClient.synced(a.url, session.id, session.editToken);
    const bob = await TestClient.synced(b.url, session.id, session.editToken);
    clients.push(alice, bob);
    expect(alice.join?.ok && bob.join?.ok && alice.join.serverId !== bob.join.serverId).toBe(true);

    expect((await alice.edit((doc) => addRule(doc, newRuleEntry("from-a", { x: 1 })))).ok).toBe(true);
    await waitFor(() => readRules(bob.doc).some((r) => r.id === "from-a"), 10_000, "edit reaches B");

    expect((await bob.edit((doc) => seedsArray(doc).push([42]))).ok).toBe(true);
    await waitFor(() => seedsArray(alice.doc).toArray().includes(42), 10_000, "edit reaches A");
    await waitFor(() => stateOf(alice.doc) === stateOf(bob.doc), 10_000, "equal documents");

    bob.setAwareness({ name: "Bob", colour: "#3366ff" });
    await waitFor(() => alice.awareness.getStates().get(bob.doc.clientID)?.name === "Bob", 10_000, "presence");
  });

  it("serve a late joiner on either process everything acknowledged on the other", async () => {
    const [a, b] = servers as [ChildServer, ChildServer];
    const session = await createSession(b.url);
    const writer = await TestClient.synced(a.url, session.id, session.editToken);
    clients.push(writer);
    for (let i = 100; i < 110; i++) await writer.edit((doc) => seedsArray(doc).push([i]));
    const reader = await TestClient.synced(b.url, session.id, session.viewToken);
    clients.push(reader);
    expect(seedsArray(reader.doc).toArray().slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });
});
