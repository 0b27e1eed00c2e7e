import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentView } from "./hardening/support";
import * as Y from "yjs";
import {
  addRule,
  Events,
  Limits,
  newRuleEntry,
  readRules,
  rulesMap,
  seedsArray,
  sessionMap,
} from "@/shared/protocol";
import { ClientPool } from "./testing/clientPool";
import { TestClient, updateMessage } from "./testing/testClient";
import { createSession, startTestServer, type TestServer, waitFor } from "./testing/testServer";

let server: TestServer;
const pool = new ClientPool(() => server.url);
const join = pool.join;

/** The document as a fresh client sees it. */
async function storedState(sessionId: string, token: string): Promise<string> {
  const probe = await join(sessionId, token);
  // Read the typed roots: a freshly synced doc's toJSON() is always "{}".
  return documentView(probe.doc);
}

/** An update made on a copy of `client`'s document, not applied to it. */
function updateFrom(client: TestClient, change: (doc: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(client.doc));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => change(copy));
  return Y.encodeStateAsUpdate(copy, before);
}

beforeAll(async () => {
  server = await startTestServer({
    messageRate: { capacity: 40, refillPerSecond: 20 },
  });
});

afterAll(async () => {
  pool.closeAll();
  await server.close();
});

describe("bad socket input changes nothing", () => {
  it("answers garbage bytes with MALFORMED_UPDATE", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const before = await storedState(session.id, session.viewToken);

    const garbage = [
      new Uint8Array([7, 1, 2, 3]),
      new Uint8Array([2, 5, 1, 2]),
      updateMessage(new Uint8Array([255, 255, 255, 255, 1, 9, 9])),
    ];
    for (const bytes of garbage) {
      expect(await client.sendRaw(bytes)).toMatchObject({ ok: false, error: { code: "MALFORMED_UPDATE" } });
    }
    expect(await storedState(session.id, session.viewToken)).toBe(before);
  });

  it("refuses an update that breaks the document schema", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const badSeed = updateFrom(client, (doc) => seedsArray(doc).push([-1]));
    const badRule = updateFrom(client, (doc) => {
      const map = new Y.Map<unknown>();
      map.set("id", "r");
      map.set("strength", "very");
      rulesMap(doc).set("r", map);
    });
    const otherModel = updateFrom(client, (doc) => sessionMap(doc).set("model", "another"));
    for (const update of [badSeed, badRule, otherModel]) {
      const ack = await client.sendRaw(updateMessage(update));
      expect(ack).toMatchObject({ ok: false, error: { code: "INVALID_DOCUMENT" } });
    }
    const probe = await join(session.id, session.viewToken);
    expect(probe.doc.getArray("seeds").toArray()).not.toContain(-1);
    expect(readRules(probe.doc)).toEqual([]);
    expect(sessionMap(probe.doc).get("model")).toBe("town64");
  });

  it("answers an oversized update with PAYLOAD_TOO_LARGE", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const huge = updateFrom(client, (doc) =>
      addRule(doc, newRuleEntry("big", { blob: "x".repeat(Limits.syncMessageBytes) })),
    );
    const ack = await client.sendRaw(updateMessage(huge));
    expect(ack).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(readRules((await join(session.id, session.viewToken)).doc)).toEqual([]);
  });

  it("answers wrongly shaped messages with INVALID_MESSAGE", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const socket = client.socket as unknown as {
      emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
    };
    expect(await socket.emitWithAck(Events.sync, "not bytes")).toMatchObject({
      ok: false,
      error: { code: "INVALID_MESSAGE" },
    });
    expect(await socket.emitWithAck(Events.ruleExecute, { rule: 1 })).toMatchObject({
      ok: false,
      error: { code: "INVALID_MESSAGE" },
    });
    expect(await socket.emitWithAck(Events.ruleExecute, { ruleId: "missing" })).toMatchObject({
      ok: false,
      error: { code: "RULE_NOT_FOUND" },
    });
    expect(await socket.emitWithAck(Events.join, { sessionId: session.id, token: session.editToken })).toMatchObject({
      ok: false,
      error: { code: "INVALID_MESSAGE" },
    });
  });

  it("reports a malformed awareness update on session:error", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 12345);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, JSON.stringify({ colour: "red" }));
    client.socket.emit(Events.awareness, encoding.toUint8Array(encoder));
    client.socket.emit(Events.awareness, new Uint8Array([9]));
    await waitFor(() => client.errors.length >= 2);
    expect(client.errors.map((e) => e.code)).toEqual(["INVALID_MESSAGE", "MALFORMED_UPDATE"]);
  });

  it("cuts a flood with RATE_LIMITED and keeps every accepted edit", async () => {
    const session = await createSession(server.url);
    const client = await join(session.id, session.editToken);
    const acks = await Promise.all(
      Array.from({ length: 150 }, (_, i) => client.edit((doc) => seedsArray(doc).push([1000 + i]))),
    );
    const refused = acks.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => !a.ok && a.error.code === "RATE_LIMITED")).toBe(true);

    const accepted = acks.flatMap((a, i) => (a.ok ? [1000 + i] : []));
    const probe = await join(session.id, session.viewToken);
    const stored = probe.doc.getArray<number>("seeds").toArray().filter((s) => s >= 1000);
    // Refused updates are missing; accepted ones may wait on them (Yjs keeps
    // them pending), but no refused value is ever applied.
    expect(stored.every((s) => accepted.includes(s))).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe("bad HTTP input changes nothing", () => {
  it("rejects malformed session bodies", async () => {
    const post = (body: string) =>
      fetch(`${server.url}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const notJson = await post("{nope");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "INVALID_MESSAGE" } });
    expect((await post(JSON.stringify({ seeds: [-3] }))).status).toBe(400);
    expect((await post(JSON.stringify({ layer: "conv999" }))).status).toBe(400);
    expect((await post(JSON.stringify({ extra: true }))).status).toBe(400);
    const huge = await post(JSON.stringify({ title: "x".repeat(Limits.httpBodyBytes + 10) }));
    expect(huge.status).toBe(413);
  });

  it("answers unknown sessions and shares with 404 and a code", async () => {
    const rules = await fetch(`${server.url}/api/sessions/unknown123/rules.json?token=x`);
    expect(rules.status).toBe(404);
    expect(await rules.json()).toMatchObject({ error: { code: "SESSION_NOT_FOUND" } });
    const share = await fetch(`${server.url}/api/shares/unknown123`);
    expect(await share.json()).toMatchObject({ error: { code: "SHARE_NOT_FOUND" } });
  });

  it("requires a token, and an edit token for snapshots", async () => {
    const session = await createSession(server.url);
    const noToken = await fetch(`${server.url}/api/sessions/${session.id}/rules.json`);
    expect(noToken.status).toBe(401);
    const viewSnapshot = await fetch(`${server.url}/api/sessions/${session.id}/snapshots`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.viewToken}` },
    });
    expect(viewSnapshot.status).toBe(403);
    expect(await viewSnapshot.json()).toMatchObject({ error: { code: "READ_ONLY" } });
  });

  it("tells editors the view link and viewers nothing more", async () => {
    const session = await createSession(server.url);
    const info = (token: string) =>
      fetch(`${server.url}/api/sessions/${session.id}?token=${token}`).then((r) => r.json());
    expect(await info(session.editToken)).toMatchObject({ role: "edit", viewUrl: session.viewUrl });
    const asViewer = await info(session.viewToken);
    expect(asViewer.role).toBe("view");
    expect(asViewer).not.toHaveProperty("viewUrl");
  });
});
