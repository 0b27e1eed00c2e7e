import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addRule,
  newRuleEntry,
  readRules,
  readSeeds,
  readSessionMeta,
  setSeeds,
  updateRule,
} from "@/shared/protocol";
import { ClientPool } from "./testing/clientPool";
import { TestClient } from "./testing/testClient";
import { createSession, startTestServer, type TestServer, waitFor } from "./testing/testServer";

let server: TestServer;
const pool = new ClientPool(() => server.url);
const join = pool.join;

const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString("base64");

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  pool.closeAll();
  await server.close();
});

describe("a shared session", () => {
  it("starts with the server's initial document", async () => {
    const session = await createSession(server.url, { seeds: [5, 6, 7], layer: "conv8" });
    const client = await join(session.id, session.editToken);
    expect(client.join).toMatchObject({ ok: true, role: "edit", model: "town64" });
    expect(readSeeds(client.doc)).toEqual([5, 6, 7]);
    expect(readSessionMeta(client.doc).layer).toBe("conv8");
  });

  it("converges when two editors change it concurrently", async () => {
    const session = await createSession(server.url);
    const alice = await join(session.id, session.editToken);
    const bob = await join(session.id, session.editToken);

    const edits = await Promise.all([
      alice.edit((doc) => addRule(doc, newRuleEntry("a", { note: "alice" }, "A"))),
      bob.edit((doc) => addRule(doc, newRuleEntry("b", { note: "bob" }, "B"))),
      alice.edit((doc) => setSeeds(doc, [1, 2, 3])),
      bob.edit((doc) => updateRule(doc, "b", { strength: 0.5 })),
    ]);
    expect(edits.every((ack) => ack.ok)).toBe(true);

    await waitFor(() => readRules(alice.doc).length === 2 && readRules(bob.doc).length === 2);
    await waitFor(() => stateOf(alice.doc) === stateOf(bob.doc), 5000, "equal documents");
    expect(readRules(alice.doc)).toEqual(readRules(bob.doc));
    expect(readRules(bob.doc).find((r) => r.id === "b")?.strength).toBe(0.5);
    expect(readSeeds(bob.doc)).toEqual([1, 2, 3]);
  });

  it("gives a late joiner every acknowledged edit", async () => {
    const session = await createSession(server.url);
    const alice = await join(session.id, session.editToken);
    const ack = await alice.edit((doc) => addRule(doc, newRuleEntry("late", { x: 1 })));
    expect(ack.ok).toBe(true);
    const carol = await join(session.id, session.viewToken);
    expect(readRules(carol.doc).map((r) => r.id)).toEqual(["late"]);
  });

  it("refuses a view-only client's edits and leaves the document unchanged", async () => {
    const session = await createSession(server.url);
    const editor = await join(session.id, session.editToken);
    const viewer = await join(session.id, session.viewToken);
    expect(viewer.join).toMatchObject({ ok: true, role: "view" });
    const before = stateOf(editor.doc);

    const ack = await viewer.edit((doc) => addRule(doc, newRuleEntry("sneaky", {})));
    expect(ack).toMatchObject({ ok: false, error: { code: "READ_ONLY" } });

    const execute = await viewer.socket.emitWithAck("rule:execute", { ruleId: "sneaky" });
    expect(execute).toMatchObject({ ok: false, error: { code: "READ_ONLY" } });

    // A later edit by the editor arrives; the viewer's rule never does.
    await editor.edit((doc) => setSeeds(doc, [9]));
    const fresh = await join(session.id, session.viewToken);
    expect(readRules(fresh.doc)).toEqual([]);
    expect(readSeeds(fresh.doc)).toEqual([9]);
    expect(stateOf(editor.doc)).not.toBe(before);
    expect(readRules(editor.doc)).toEqual([]);
  });

  it("shares presence through awareness and drops it when a client leaves", async () => {
    const session = await createSession(server.url);
    const alice = await join(session.id, session.editToken);
    const bob = await join(session.id, session.viewToken);
    alice.setAwareness({ name: "Alice", colour: "#e4572e", tool: "paste", image: 3 });
    await waitFor(() => bob.awareness.getStates().get(alice.doc.clientID)?.name === "Alice");

    alice.close();
    await waitFor(() => !bob.awareness.getStates().has(alice.doc.clientID), 5000, "presence removed");
  });
});

describe("joining", () => {
  it("refuses an unknown session", async () => {
    const client = await TestClient.connect(server.url, "no-such-session", "token");
    pool.keep(client);
    expect(client.join).toMatchObject({ ok: false, error: { code: "SESSION_NOT_FOUND" } });
  });

  it("refuses a wrong token", async () => {
    const session = await createSession(server.url);
    const client = await TestClient.connect(server.url, session.id, "not-the-token");
    pool.keep(client);
    expect(client.join).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
  });

  it("refuses document messages before joining", async () => {
    const session = await createSession(server.url);
    const client = await TestClient.connect(server.url, session.id, "wrong");
    pool.keep(client);
    const ack = await client.sendRaw(new Uint8Array([0, 1, 0]));
    expect(ack).toMatchObject({ ok: false, error: { code: "NOT_JOINED" } });
  });
});
