import { parseSeedList } from "../../../shared/latent";
import { rankSeeds, RewriteError, ruleDirections, scoreQuantile } from "../../../shared/rewrite";
import { CommandFailure, integerOption, parseWithPositionals, UsageError, type CliCommand } from "../command";
import { loadModel } from "../modelOption";
import { featuresOf, readRules } from "./ruleFiles";

const MAX_SEEDS = 100_000;
/** Seeds whose locations set the match threshold (the 99.9th percentile of key·d). */
const THRESHOLD_SEEDS = 200;

/** `match`: rank seeds by how strongly they contain a rule's context (Search in the original UI). */
export const matchCommand: CliCommand = {
  name: "match",
  summary: "rank seeds by the best match of a rule's context direction",
  usage: "match rule.json --seeds 0-999 [--top 20] [--model DIR]",

  async run(args, context) {
    const { values, positionals } = parseWithPositionals(args, {
      model: { type: "string" },
      seeds: { type: "string" },
      top: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("name exactly one rule file");
    if (values.seeds === undefined) throw new UsageError("missing --seeds");
    const seeds = parseSeedList(values.seeds, { maxCount: MAX_SEEDS });
    const top = integerOption(values.top, "--top", 20);

    const model = await loadModel(values.model, context);
    try {
      const [loaded] = await readRules(positionals, model);
      const rule = loaded!.rule;
      const source = featuresOf(model, context);
      const options = { source, moments: source.moments };
      const direction = await ruleDirections(rule, options).catch((error: unknown) => {
        throw error instanceof RewriteError ? new CommandFailure(error.message) : error;
      });
      const d = direction.data.subarray(0, direction.shape[1]);
      const sample = Array.from({ length: THRESHOLD_SEEDS }, (_, i) => 1_000_000 + i);
      const sampled = await rankSeeds(source, rule.layer, sample, d);
      const threshold = scoreQuantile(sampled.map((m) => m.scores));
      const ranked = await rankSeeds(source, rule.layer, seeds, d, {
        onProgress: (done, total) => {
          if (context.interactive) context.stderr(`\rscored ${done}/${total}${done === total ? "\n" : ""}`);
        },
      });
      context.stdout(`threshold (99.9th percentile over ${THRESHOLD_SEEDS} seeds): ${threshold.toFixed(4)}\n`);
      context.stdout("rank  seed  score  cells>threshold\n");
      ranked.slice(0, top).forEach((m, k) => {
        const above = m.scores.filter((s) => s > threshold).length;
        context.stdout(`${String(k + 1).padStart(4)}  ${String(m.seed).padStart(4)}  ${m.score.toFixed(4)}  ${above}\n`);
      });
    } finally {
      await model.release();
    }
  },
};
