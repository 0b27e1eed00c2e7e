/**
 * Update propagation on loopback: N clients join one session on a server
 * child process (`server/main.ts`, SQLite with the chosen synchronous
 * mode); clients take turns changing the session title, and we time how
 * long each edit takes to be acknowledged (stored) and to reach every
 * other client.
 *
 *   npm run bench -- propagation [--clients 30] [--edits 100] [--sync full|normal]
 */
import path from "node:path";
import { sessionMap } from "@/shared/protocol";
import { startChildServer, stopChild } from "@/server/testing/childServer";
import { TestClient } from "@/server/testing/testClient";
import { createSession, tempDir, waitFor } from "@/server/testing/testServer";

interface PropagationOptions {
  readonly clients: number;
  readonly edits: number;
  readonly sync: "full" | "normal";
}

function parseOptions(argv: readonly string[]): PropagationOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sync = value("--sync") ?? "full";
  if (sync !== "full" && sync !== "normal") throw new Error("--sync must be full or normal");
  return {
    clients: Number(value("--clients") ?? 30),
    edits: Number(value("--edits") ?? 100),
    sync,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2);
  return `${name}: n=${sorted.length} p50=${f(percentile(sorted, 50))} ms p95=${f(percentile(sorted, 95))} ms max=${f(sorted.at(-1)!)} ms`;
}

export async function benchPropagation(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  const dbFile = path.join(tempDir("rewrite-bench-"), "bench.sqlite");
  const server = await startChildServer({ REWRITE_DB: dbFile, REWRITE_DB_SYNC: options.sync });
  const clients: TestClient[] = [];
  try {
    const session = await createSession(server.url);
    for (let i = 0; i < options.clients; i++) {
      clients.push(await TestClient.synced(server.url, session.id, session.editToken));
    }
    const arrivals = clients.map(() => new Map<string, number>());
    clients.forEach((client, i) =>
      sessionMap(client.doc).observe(() => {
        const title = sessionMap(client.doc).get("title");
        if (typeof title === "string") arrivals[i]!.set(title, performance.now());
      }),
    );

    const ackMs: number[] = [];
    const propagationMs: number[] = [];
    for (let n = 0; n < options.edits; n++) {
      const sender = n % clients.length;
      const title = `edit ${n}`;
      const sent = performance.now();
      const ack = await clients[sender]!.edit((doc) => sessionMap(doc).set("title", title));
      if (!ack.ok) throw new Error(`edit refused: ${ack.error.code}`);
      ackMs.push(performance.now() - sent);
      await waitFor(() => arrivals.every((a, i) => i === sender || a.has(title)), 10_000, title);
      arrivals.forEach((a, i) => i !== sender && propagationMs.push(a.get(title)! - sent));
    }
    process.stdout.write(
      `propagation (${options.clients} clients, ${options.edits} edits, synchronous=${options.sync})\n` +
        `  ${summary("ack (stored)", ackMs)}\n` +
        `  ${summary("edit → every other client", propagationMs)}\n`,
    );
  } finally {
    for (const client of clients) client.close();
    await stopChild(server.process, "SIGTERM");
  }
}
