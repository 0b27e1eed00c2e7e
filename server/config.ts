/**
 * Server settings, read once from the environment (see server/README.md).
 */
import os from "node:os";
import path from "node:path";
import type { TokenBucketOptions } from "./socket/tokenBucket";

export interface ServerConfig {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dbFile: string;
  readonly dbSynchronous: "full" | "normal";
  /** Model folders, or folders of model folders; the first model is the default. */
  readonly modelDirs: readonly string[];
  /** Mount the Next.js app from `dir`; null serves only the API and sockets. */
  readonly next: { readonly dev: boolean; readonly dir: string } | null;
  /** Fan out to other processes through Redis; null for one process. */
  readonly redisUrl: string | null;
  readonly jobs: {
    readonly concurrency: number;
    readonly maxQueued: number;
    readonly timeoutMs: number;
  };
  readonly messageRate: TokenBucketOptions;
  readonly awarenessRate: TokenBucketOptions;
  /** Compact a session's stored history after this many updates. */
  readonly compactEvery: number;
  /** Unload a session this long after its last client left. */
  readonly roomIdleMs: number;
  /** Re-render the grid this long after the last rule change. */
  readonly renderDelayMs: number;
  /** Seeds used to estimate key statistics a model folder lacks. */
  readonly statsFallbackSamples: number;
  readonly logLevel: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Defaults for everything; `overrides` win (tests pass what they need). */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 3000,
    dbFile: path.resolve("data/rewrite.sqlite"),
    dbSynchronous: "full",
    modelDirs: [path.resolve("models/town64")],
    next: null,
    redisUrl: null,
    jobs: {
      concurrency: Math.max(1, Math.floor(os.availableParallelism() / 2)),
      maxQueued: 16,
      timeoutMs: 120_000,
    },
    messageRate: { capacity: 200, refillPerSecond: 100 },
    awarenessRate: { capacity: 60, refillPerSecond: 30 },
    compactEvery: 500,
    roomIdleMs: 30_000,
    renderDelayMs: 50,
    statsFallbackSamples: 256,
    logLevel: "info",
    ...overrides,
  };
}

/** Settings from environment variables, on top of the defaults. */
export function configFromEnv(env: Env, cwd = process.cwd()): ServerConfig {
  const base = defaultConfig();
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    }
    return value;
  };
  const sync = env.REWRITE_DB_SYNC ?? "full";
  if (sync !== "full" && sync !== "normal") {
    throw new Error(`REWRITE_DB_SYNC must be "full" or "normal", got "${sync}"`);
  }
  const models = (env.REWRITE_MODELS ?? "models/town64")
    .split(path.delimiter)
    .filter((p) => p !== "")
    .map((p) => path.resolve(cwd, p));
  const nextEnabled = env.REWRITE_NEXT !== "0";
  return {
    ...base,
    host: env.HOST ?? base.host,
    port: int("PORT", base.port),
    dbFile: path.resolve(cwd, env.REWRITE_DB ?? "data/rewrite.sqlite"),
    dbSynchronous: sync,
    modelDirs: models,
    next: nextEnabled ? { dev: env.NODE_ENV !== "production", dir: cwd } : null,
    redisUrl: env.REDIS_URL === undefined || env.REDIS_URL === "" ? null : env.REDIS_URL,
    jobs: {
      concurrency: int("REWRITE_JOB_CONCURRENCY", base.jobs.concurrency, 1),
      maxQueued: int("REWRITE_JOB_QUEUE", base.jobs.maxQueued, 0),
      timeoutMs: int("REWRITE_JOB_TIMEOUT_MS", base.jobs.timeoutMs, 1),
    },
    compactEvery: int("REWRITE_COMPACT_EVERY", base.compactEvery, 1),
    statsFallbackSamples: int("REWRITE_STATS_SAMPLES", base.statsFallbackSamples, 1),
    logLevel: env.LOG_LEVEL ?? base.logLevel,
  };
}
