/**
 * Helpers for the hardening tests (fuzz, crash, load) against real server
 * processes on 127.0.0.1: a seeded PRNG so a failure replays, the scale
 * knob that turns the quick versions into the long ones, RSS sampling from
 * /proc, and reading a session's document as a fresh client sees it.
 */
import fs from "node:fs";
import net from "node:net";
import type * as Y from "yjs";
import { ruleOrderArray, rulesMap, seedsArray, sessionMap } from "@/shared/protocol";
import { encodeStep1, TestClient } from "../testing/testClient";

/**
 * REWRITE_HARDENING_SCALE multiplies counts and durations (1: the quick
 * versions in `npm test`; `npm run test:long` uses 10).
 */
export function hardeningScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REWRITE_HARDENING_SCALE;
  if (raw === undefined || raw === "") return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1 || value > 100) {
    throw new Error(`REWRITE_HARDENING_SCALE must be a number in [1, 100], got "${raw}"`);
  }
  return value;
}

/** REWRITE_FUZZ_SEED picks the PRNG seed (default fixed, so runs replay). */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REWRITE_FUZZ_SEED;
  return raw === undefined || raw === "" ? 20261204 : Number(raw) >>> 0;
}

/** mulberry32: a small, seeded 32-bit PRNG. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

/** Resident set size of a process in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** GET /healthz; resolves with the status (throws when the server does not answer). */
export async function healthStatus(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

/**
 * A document's content as canonical JSON. A synced Y.Doc only names its root types
 * once they are asked for by type, so the schema's roots are read first;
 * the names of every root are listed too, so an unexpected one shows.
 */
export function documentView(doc: Y.Doc): string {
  const typed = {
    session: sessionMap(doc).toJSON(),
    seeds: seedsArray(doc).toJSON(),
    rules: rulesMap(doc).toJSON(),
    ruleOrder: ruleOrderArray(doc).toJSON(),
  };
  return JSON.stringify(sortedKeys({ ...typed, roots: [...doc.share.keys()].sort() }));
}

/** A copy with every object's keys sorted (Y.Map iteration order depends on arrival order). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * Closes clients after a round trip on each connected one, so that replies
 * the client sent on its own (its sync step 2) are acknowledged first and
 * closing does not reject them unhandled.
 */
export async function closeSettled(clients: readonly TestClient[]): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      if (client.socket.connected) await client.sendRaw(encodeStep1(client.doc)).catch(() => undefined);
      client.close();
    }),
  );
}

/** The session document's content (see documentView) as a fresh client syncs it. */
export async function documentJson(url: string, sessionId: string, token: string): Promise<string> {
  const client = await TestClient.synced(url, sessionId, token);
  try {
    // The client's own step 2 may still await its ack; a round trip after it
    // settles it, so closing does not reject it unhandled.
    await client.sendRaw(encodeStep1(client.doc));
    return documentView(client.doc);
  } finally {
    client.close();
  }
}

/**
 * Sends raw bytes as an HTTP request over a fresh TCP connection (so paths
 * reach the server unnormalised) and resolves with the response status, or
 * 0 when the server closed the connection without a status line.
 */
export function rawHttpStatus(url: string, request: string | Uint8Array, timeoutMs = 10_000): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let head = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to raw request ${JSON.stringify(String(request).slice(0, 80))}`));
    }, timeoutMs);
    const done = (status: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (match) done(Number(match[1]));
    });
    socket.on("error", () => done(0));
    socket.on("end", () => done(0));
    socket.end(request);
  });
}
