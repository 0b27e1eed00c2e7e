import { computeKeyStatistics, readManifest, statsFileName, writeLayerStats } from "../../../server/model";

import { integerOption, parseOptions, type CliCommand, type CliContext } from "../command";
import { loadModel, modelOption } from "../modelOption";
import { formatDuration, formatProgress } from "../progress";

const DEFAULT_SAMPLES = 10_000;
const DEFAULT_BATCH = 32;
/** Without a terminal, print a progress line at most this often. */
const LOG_INTERVAL_MS = 10_000;

/**
 * `stats`: the key second moment C = E[k kᵀ] of every rewritable layer over
 * seeds 0..N-1, cached next to the model as stats_<layer>.f64 and recorded
 * under manifest.stats.
 */
export const statsCommand: CliCommand = {
  name: "stats",
  summary: "compute and cache each layer's key second moment over N seeds",
  usage: "stats [--samples 10000] [--batch 32] [--model DIR]",

  async run(args, context) {
    const options = parseOptions(args, {
      ...modelOption,
      samples: { type: "string" },
      batch: { type: "string" },
    });
    const samples = integerOption(options.samples, "--samples", DEFAULT_SAMPLES);
    const batchSize = integerOption(options.batch, "--batch", DEFAULT_BATCH);

    const model = await loadModel(options.model, context);
    try {
      const started = Date.now();
      const seeds = Array.from({ length: samples }, (_, i) => i);
      const stats = await computeKeyStatistics(model, seeds, {
        batchSize,
        onProgress: progressPrinter(context, started),
      });
      const manifest = await readManifest(model.directory);
      await writeLayerStats(model.directory, manifest, stats);
      const took = formatDuration(Date.now() - started);
      for (const s of stats) {
        context.stdout(`wrote ${statsFileName(s.layer)}: ${s.channels}×${s.channels}, ${s.samples} samples (seeds ${s.seeds})\n`);
      }
      context.stdout(`updated manifest.json stats in ${model.directory} after ${took}\n`);
    } finally {
      await model.release();
    }
  },
};

function progressPrinter(context: CliContext, started: number): (done: number, total: number) => void {
  let lastPrinted = 0;
  return (done, total) => {
    const now = Date.now();
    const line = `stats: ${formatProgress(done, total, now - started)}`;
    if (context.interactive) {
      context.stderr(`\r${line}${done === total ? "\n" : ""}`);
    } else if (done === total || now - lastPrinted >= LOG_INTERVAL_MS) {
      context.stderr(`${line}\n`);
      lastPrinted = now;
    }
  };
}
