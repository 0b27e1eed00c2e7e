import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { InferenceSession } from "onnxruntime-node";
import type { Logger } from "pino";

import { ModelError } from "./errors";

/** What the caller asks for; `auto` means CUDA when it loads, else CPU. */
export type ExecutionProviderChoice = "cuda" | "cpu" | "auto";
/** What a session actually runs on. */
export type ExecutionProvider = "cuda" | "cpu";

export const EXECUTION_PROVIDER_ENV = "REWRITE_EXECUTION_PROVIDER";
const CHOICES: readonly ExecutionProviderChoice[] = ["cuda", "cpu", "auto"];

/** Reads REWRITE_EXECUTION_PROVIDER (unset or empty → `auto`). */
export function executionProviderFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ExecutionProviderChoice {
  const value = env[EXECUTION_PROVIDER_ENV]?.trim().toLowerCase() ?? "";
  if (value === "") return "auto";
  if ((CHOICES as readonly string[]).includes(value)) {
    return value as ExecutionProviderChoice;
  }
  throw new ModelError(
    "execution-provider-invalid",
    `${EXECUTION_PROVIDER_ENV}="${value}" is not one of ${CHOICES.join(", ")}`,
  );
}

export interface SessionOptions {
  readonly choice: ExecutionProviderChoice;
  readonly logger: Logger;
  /** Threads ONNX Runtime may use inside one operator (its default: all). */
  readonly intraOpThreads?: number;
}

export interface OpenedSession {
  readonly session: InferenceSession;
  readonly provider: ExecutionProvider;
}

/**
 * Opens an ONNX Runtime session on CUDA when asked (or, for `auto`, when the
 * CUDA provider library is installed), otherwise on the CPU. A CUDA failure,
 * such as missing provider libraries, falls back to the CPU and is logged:
 * as a warning when CUDA was asked for explicitly, as info under `auto`.
 */
export async function openSession(
  path: string,
  options: SessionOptions,
): Promise<OpenedSession> {
  const { choice, logger } = options;
  const tryCuda = choice === "cuda" || (choice === "auto" && cudaProviderInstalled());
  if (choice === "auto" && !tryCuda) {
    logger.info({ file: path }, "cuda provider library not installed; using cpu");
  }
  if (tryCuda) {
    try {
      const session = await create(path, "cuda", options);
      logger.info({ file: path, provider: "cuda" }, "onnx session on cuda");
      return { session, provider: "cuda" };
    } catch (error) {
      const level = choice === "cuda" ? "warn" : "info";
      logger[level](
        { file: path, requested: choice, reason: (error as Error).message },
        "cuda execution provider unavailable; falling back to cpu",
      );
    }
  }
  const session = await create(path, "cpu", options);
  logger.info({ file: path, provider: "cpu" }, "onnx session on cpu");
  return { session, provider: "cpu" };
}

function create(
  path: string,
  provider: ExecutionProvider,
  { intraOpThreads }: SessionOptions,
): Promise<InferenceSession> {
  return InferenceSession.create(path, {
    executionProviders: [provider],
    graphOptimizationLevel: "all",
    // Native logs would repeat our fallback message as an error on stderr.
    logSeverityLevel: provider === "cuda" ? 4 : 2,
    ...(intraOpThreads === undefined ? {} : { intraOpNumThreads: intraOpThreads }),
  });
}

/**
 * Whether onnxruntime-node has its CUDA provider library beside its native
 * binding (it loads it from there). Under `auto` this spares a failing
 * attempt, which ONNX Runtime would report on stderr, on CPU-only machines.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve("onnxruntime-node")), "..", "bin");
    const platform = join(process.platform, process.arch);
    return readdirSync(bin).some((napi) =>
      ["libonnxruntime_providers_cuda.so", "onnxruntime_providers_cuda.dll"].some(
        (file) => existsSync(join(bin, napi, platform, file)),
      ),
    );
  } catch {
    return false;
  }
}
