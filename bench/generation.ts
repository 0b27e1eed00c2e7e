/**
 * Generation throughput on CPU: the shipped generator through
 * onnxruntime-node (server/model's GeneratorModel, which also returns every
 * layer's keys and values) against the same weights in torch eager
 * (models/town_gan.py via /usr/bin/python3), at batch 1 and 16 with the same
 * intra-op thread count. The two runtimes take turns (--rounds), and
 * images/s comes from the median time per batch, so that a burst of CPU
 * contention (the GAN may be training beside it) moves the figure little;
 * the mean is printed beside it.
 *
 *   npm run bench -- generation [--threads 1] [--batches 1,16] [--seconds 2] [--rounds 2] [--model DIR]
 */
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import pino from "pino";
import { GeneratorModel } from "../server/model";
import { latentBatch } from "../shared/latent";

const DEFAULT_MODEL = new URL("../models/town64/", import.meta.url).pathname;
const TORCH_SCRIPT = new URL("./generation_torch.py", import.meta.url).pathname;
const WARMUP = 3;
const MAX_RUNS = 500;

export interface GenerationRow {
  readonly runtime: "onnxruntime-node" | "torch eager";
  readonly threads: number;
  readonly batch: number;
  readonly runs: number;
  /** batch / median time per batch. */
  readonly imagesPerSecond: number;
  readonly medianMs: number;
  readonly meanMs: number;
}

/** Per batch size, the time of every timed run, in ms. */
interface Timing {
  readonly batch: number;
  readonly runsMs: number[];
}

export async function benchGeneration(argv: readonly string[]): Promise<GenerationRow[]> {
  const { values: opts } = parseArgs({
    args: [...argv],
    options: {
      threads: { type: "string", default: "1" },
      batches: { type: "string", default: "1,16" },
      seconds: { type: "string", default: "2" },
      rounds: { type: "string", default: "2" },
      model: { type: "string", default: DEFAULT_MODEL },
    },
  });
  const threads = Number(opts.threads);
  const batches = opts.batches.split(",").map(Number);
  const seconds = Number(opts.seconds);
  const rounds = Number(opts.rounds);
  if (!(threads >= 1) || batches.some((b) => !(b >= 1)) || !(seconds > 0) || !(rounds >= 1)) {
    throw new Error("--threads, --batches, --seconds and --rounds must be positive numbers");
  }
  const modelDir = resolve(opts.model);

  const ort: Timing[][] = [];
  const torchRounds: Awaited<ReturnType<typeof timeTorch>>[] = [];
  for (let r = 0; r < rounds; r++) {
    ort.push(await timeOnnx(modelDir, threads, batches, seconds / rounds));
    torchRounds.push(await timeTorch(modelDir, threads, batches, seconds / rounds));
  }
  const torch = torchRounds[0]!;
  const pooled = (timings: Timing[][], batch: number) =>
    timings.flatMap((round) => round.find((t) => t.batch === batch)!.runsMs);
  const rows = batches.flatMap((batch) => [
    row("onnxruntime-node", threads, batch, pooled(ort, batch)),
    row("torch eager", threads, batch, pooled(torchRounds.map((t) => t.rows), batch)),
  ]);
  process.stdout.write(
    `generation bench: ${modelDir}, CPU, ${threads} intra-op thread(s) each, ${availableParallelism()} cores ` +
      `(GAN training may share them); torch ${torch.version} from ${torch.origin}, ` +
      `max |torch − reference| ${torch.referenceMaxError.toExponential(1)}; onnxruntime also returns every ` +
      `layer's keys and values, torch only the image\n` +
      formatTable(rows, batches),
  );
  return rows;
}

function row(runtime: GenerationRow["runtime"], threads: number, batch: number, runsMs: readonly number[]): GenerationRow {
  const sorted = [...runsMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return {
    runtime,
    threads,
    batch,
    runs: sorted.length,
    imagesPerSecond: (1000 * batch) / medianMs,
    medianMs,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

async function timeOnnx(modelDir: string, threads: number, batches: readonly number[], seconds: number): Promise<Timing[]> {
  const model = await GeneratorModel.load(modelDir, {
    logger: pino({ level: "silent" }),
    executionProvider: "cpu",
    intraOpThreads: threads,
  });
  try {
    const timings: Timing[] = [];
    for (const batch of batches) {
      const z = latentBatch(Array.from({ length: batch }, (_, i) => i), model.manifest.zDim);
      for (let k = 0; k < WARMUP; k++) await model.run(z);
      const runsMs: number[] = [];
      let total = 0;
      while ((total < 1000 * seconds || runsMs.length < 3) && runsMs.length < MAX_RUNS) {
        const start = performance.now();
        await model.run(z);
        const elapsed = performance.now() - start;
        runsMs.push(elapsed);
        total += elapsed;
      }
      timings.push({ batch, runsMs });
    }
    return timings;
  } finally {
    await model.release();
  }
}

async function timeTorch(modelDir: string, threads: number, batches: readonly number[], seconds: number) {
  const { stdout } = await promisify(execFile)(
    "/usr/bin/python3",
    [TORCH_SCRIPT, modelDir, String(threads), batches.join(","), String(seconds)],
    { env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) }, timeout: 600_000 },
  );
  const result = JSON.parse(stdout) as {
    origin: string;
    torch: string;
    referenceMaxError: number;
    rows: Timing[];
  };
  return { ...result, version: result.torch };
}

function formatTable(rows: readonly GenerationRow[], batches: readonly number[]): string {
  const lines = ["runtime            batch   images/s   median ms/batch   mean ms/batch   runs   ort ÷ torch"];
  for (const batch of batches) {
    const ort = rows.find((r) => r.runtime === "onnxruntime-node" && r.batch === batch)!;
    const torch = rows.find((r) => r.runtime === "torch eager" && r.batch === batch)!;
    for (const r of [ort, torch]) {
      const ratio = r === ort ? `${(ort.imagesPerSecond / torch.imagesPerSecond).toFixed(2)}×` : "";
      lines.push(
        `${r.runtime.padEnd(18)} ${String(batch).padStart(5)} ${r.imagesPerSecond.toFixed(1).padStart(10)} ` +
          `${r.medianMs.toFixed(2).padStart(17)} ${r.meanMs.toFixed(2).padStart(15)} ${String(r.runs).padStart(6)}   ${ratio}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
