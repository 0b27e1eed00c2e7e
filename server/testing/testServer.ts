/**
 * Test helpers: a real server on 127.0.0.1 port 0 with a fresh SQLite file
 * in a temporary folder, quiet logs, and no Next.js app.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CreateSessionRequest, CreateSessionResponse } from "@/shared/protocol";
import { defaultConfig, type ServerConfig } from "../config";
import { createLogger } from "../logger";
import { type RewriteServer, startRewriteServer } from "../server";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const MODEL_DIR = path.join(REPO_ROOT, "models/town64");

export interface TestServer extends RewriteServer {
  readonly dbFile: string;
  readonly dir: string;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = "rewrite-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dir = overrides.dbFile === undefined ? tempDir() : path.dirname(overrides.dbFile);
  const dbFile = overrides.dbFile ?? path.join(dir, "rewrite.sqlite");
  const config = defaultConfig({
    port: 0,
    host: "127.0.0.1",
    dbFile,
    modelDirs: [MODEL_DIR],
    next: null,
    logLevel: "silent",
    ...overrides,
  });
  const server = await startRewriteServer(config, createLogger(config.logLevel));
  return { ...server, dbFile, dir };
}

/** POST /api/sessions. */
export async function createSession(
  baseUrl: string,
  request: CreateSessionRequest = {},
): Promise<CreateSessionResponse> {
  const response = await fetch(`${baseUrl}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (response.status !== 201) throw new Error(`create session: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreateSessionResponse;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
