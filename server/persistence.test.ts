import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Ack } from "@/shared/protocol";
import { addRule, newRuleEntry, readRules, seedsArray } from "@/shared/protocol";
import { type ChildServer, startChildServer, stopChild } from "./testing/childServer";
import { TestClient } from "./testing/testClient";
import { createSession, startTestServer, tempDir } from "./testing/testServer";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close() as Promise<unknown> | void);
  return thing;
}

function trackChild(child: ChildServer): ChildServer {
  cleanups.push(() => stopChild(child.process, "SIGKILL"));
  return child;
}

const storedSeeds = (client: TestClient) => seedsArray(client.doc).toArray();

describe("stored sessions", () => {
  it("come back after a clean restart with every edit", async () => {
    const first = await startTestServer();
    const session = await createSession(first.url, { seeds: [0] });
    const client = await TestClient.synced(first.url, session.id, session.editToken);
    for (let i = 1; i <= 20; i++) {
      expect((await client.edit((doc) => seedsArray(doc).push([i]))).ok).toBe(true);
    }
    await client.edit((doc) => addRule(doc, newRuleEntry("kept", { any: "json" }, "Kept")));
    client.close();
    await first.close();

    const second = track(await startTestServer({ dbFile: first.dbFile }));
    const again = track(await TestClient.synced(second.url, session.id, session.viewToken));
    expect(storedSeeds(again)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(readRules(again.doc).map((r) => r.name)).toEqual(["Kept"]);
  });

  it("are compacted into few rows without losing edits", async () => {
    const server = await startTestServer({ compactEvery: 8 });
    const session = await createSession(server.url, { seeds: [0] });
    const client = await TestClient.synced(server.url, session.id, session.editToken);
    for (let i = 1; i <= 40; i++) await client.edit((doc) => seedsArray(doc).push([i]));
    client.close();
    await server.close();

    const db = new Database(server.dbFile, { readonly: true });
    const { n } = db.prepare("SELECT COUNT(*) AS n FROM doc_updates WHERE session_id = ?").get(session.id) as {
      n: number;
    };
    db.close();
    expect(n).toBeLessThan(8);

    const reopened = track(await startTestServer({ dbFile: server.dbFile }));
    const again = track(await TestClient.synced(reopened.url, session.id, session.viewToken));
    expect(storedSeeds(again)).toEqual(Array.from({ length: 41 }, (_, i) => i));
  });

  it("keep every acknowledged edit when the process is killed with SIGKILL", async () => {
    const dbFile = path.join(tempDir(), "kill.sqlite");
    const first = trackChild(await startChildServer({ REWRITE_DB: dbFile }));
    const session = await createSession(first.url, { seeds: [0] });
    const client = track(await TestClient.synced(first.url, session.id, session.editToken));

    // Fire edits without waiting, and kill the server mid-stream.
    const acked: number[] = [];
    const refusals: string[] = [];
    const pending: Promise<Ack>[] = [];
    // The schema allows 64 seeds: the session starts with one, 60 more fit.
    for (let i = 1; i <= 60; i++) {
      const ack = client.edit((doc) => seedsArray(doc).push([i]));
      pending.push(ack.then((a) => (a.ok ? acked.push(i) : refusals.push(JSON.stringify(a)), a)).catch(() => ({ ok: true as const })));
    }
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => acked.length >= 20 && (clearInterval(poll), resolve()), 1);
    });
    await stopChild(first.process, "SIGKILL");
    const ackedAtKill = [...acked];
    client.close();

    const second = trackChild(await startChildServer({ REWRITE_DB: dbFile }));
    const again = track(await TestClient.synced(second.url, session.id, session.viewToken));
    const stored = storedSeeds(again);
    expect(refusals).toEqual([]);
    for (const value of ackedAtKill) expect(stored).toContain(value);
    expect(ackedAtKill.length).toBeGreaterThanOrEqual(20);
    expect(fs.existsSync(dbFile)).toBe(true);
  });

  it("shut down cleanly on SIGTERM", async () => {
    const dbFile = path.join(tempDir(), "term.sqlite");
    const child = trackChild(await startChildServer({ REWRITE_DB: dbFile }));
    const session = await createSession(child.url);
    const client = track(await TestClient.synced(child.url, session.id, session.editToken));
    await client.edit((doc) => seedsArray(doc).push([77]));
    const code = await stopChild(child.process, "SIGTERM");
    expect(code).toBe(0);
    expect(child.output()).toContain("storage flushed");
  });
});
