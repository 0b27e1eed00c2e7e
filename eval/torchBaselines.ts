/**
 * The torch baselines, run as /usr/bin/python3 child processes on one torch
 * thread (the GAN may be training beside them). Inputs and outputs travel
 * as little-endian float32 files in a temporary folder.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Tensor } from "../server/model";
import type { Box } from "../shared/rewrite";

const PYTHON = process.env.REWRITE_PYTHON ?? "/usr/bin/python3";
const ORIGINAL_SCRIPT = new URL("../bench/original_insert.py", import.meta.url).pathname;
const FINETUNE_SCRIPT = new URL("./python/finetune.py", import.meta.url).pathname;
/** Longest a baseline may run before the evaluation gives up on it. */
const TIMEOUT_MS = 900_000;

export interface OriginalInput {
  /** I×h×w keys and O×h×w goal values of the goal box. */
  readonly keys: Float32Array;
  readonly goal: Float32Array;
  readonly outputs: number;
  readonly inputs: number;
  readonly height: number;
  readonly width: number;
  readonly w0: Float32Array;
  /** r×I context directions. */
  readonly d: Float32Array;
  readonly rank: number;
  readonly steps: number;
  readonly lr: number;
}

/** bench/original_insert.py: returns W1 and the optimiser's time. */
export async function runOriginalInsert(input: OriginalInput): Promise<{ weight: Float32Array; ms: number; finalLoss: number }> {
  return inTempDir(async (dir) => {
    const { keys, goal, w0, d, ...rest } = input;
    const meta = { ...rest, piter: 10 };
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
    await writeF32(join(dir, "keys.f32"), keys);
    await writeF32(join(dir, "goal.f32"), goal);
    await writeF32(join(dir, "w0.f32"), w0);
    await writeF32(join(dir, "d.f32"), d);
    await python(ORIGINAL_SCRIPT, dir);
    const result = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as { ms: number; finalLoss: number };
    return { ...result, weight: await readF32(join(dir, "w1.f32")) };
  });
}

export interface FinetuneInput {
  readonly modelDir: string;
  readonly seed: number;
  /** [3,R,R] target image in [-1,1]. */
  readonly target: Float32Array;
  readonly box: Box;
  readonly heldOut: readonly number[];
  readonly steps: number;
  readonly lr: number;
}

export interface FinetuneResult {
  readonly ms: number;
  readonly firstLoss: number;
  readonly finalLoss: number;
  readonly before: Tensor;
  readonly after: Tensor;
}

/** eval/python/finetune.py: held-out images before and after fine-tuning every weight. */
export async function runFinetune(input: FinetuneInput): Promise<FinetuneResult> {
  return inTempDir(async (dir) => {
    const { target, ...meta } = input;
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
    await writeF32(join(dir, "target.f32"), target);
    await python(FINETUNE_SCRIPT, dir);
    const result = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as {
      ms: number;
      firstLoss: number;
      finalLoss: number;
      resolution: number;
    };
    const shape = [input.heldOut.length, 3, result.resolution, result.resolution];
    return {
      ...result,
      before: { data: await readF32(join(dir, "before.f32")), shape },
      after: { data: await readF32(join(dir, "after.f32")), shape },
    };
  });
}

async function python(script: string, dir: string): Promise<void> {
  await promisify(execFile)(PYTHON, [script, dir], {
    env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
    timeout: TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "rewrite-eval-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeF32(file: string, data: Float32Array): Promise<void> {
  await writeFile(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

async function readF32(file: string): Promise<Float32Array> {
  const bytes = await readFile(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
