import { stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import { encodePng, imageGrid, type GeneratorModel, type LayerWeights } from "../../../server/model";
import { latentBatch, parseSeedList } from "../../../shared/latent";
import { CommandFailure, integerOption, MAX_SCALE, parseOptions, required, UsageError, type CliCommand } from "../command";
import { loadModel, modelOption } from "../modelOption";
import { featuresOf, readRules, solveRuleFiles } from "./ruleFiles";

const MAX_IMAGES = 256;

/** `compare`: before/after grid of some seeds for a list of rules applied in order. */
export const compareCommand: CliCommand = {
  name: "compare",
  summary: "before/after PNG grid of some seeds with rules applied in order",
  usage: "compare --rules a.json,b.json --seeds 0-7 --out beforeafter.png [--columns N] [--scale N] [--model DIR]",

  async run(args, context) {
    const options = parseOptions(args, {
      ...modelOption,
      rules: { type: "string" },
      seeds: { type: "string" },
      out: { type: "string" },
      columns: { type: "string" },
      scale: { type: "string" },
    });
    const files = required(options.rules, "--rules").split(",").filter((f) => f !== "");
    const seeds = parseSeedList(required(options.seeds, "--seeds"), { maxCount: MAX_IMAGES });
    const out = resolve(required(options.out, "--out"));
    if (!out.toLowerCase().endsWith(".png")) throw new UsageError(`--out must name a .png file, got "${options.out}"`);
    const columns = integerOption(options.columns, "--columns", Math.min(seeds.length, 8));
    const scale = integerOption(options.scale, "--scale", 2, 1, MAX_SCALE);
    const isDirectory = await stat(dirname(out)).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) throw new CommandFailure(`cannot write there: ${dirname(out)} is not a directory`);

    const model = await loadModel(options.model, context);
    try {
      const rules = await readRules(files, model);
      const { weights } = await solveRuleFiles(rules, featuresOf(model, context), context);
      const images = await beforeAfter(model, seeds, weights, columns);
      const grid = imageGrid(images, { columns, scale });
      await writeFile(out, encodePng(grid));
      context.stdout(`wrote ${out}: ${seeds.length} seeds, before (upper) and after (lower) rows\n`);
    } finally {
      await model.release();
    }
  },
};

/** Images in rows of `columns`: each row of originals followed by the same seeds edited. */
async function beforeAfter(model: GeneratorModel, seeds: readonly number[], weights: LayerWeights, columns: number) {
  const { zDim, resolution } = model.manifest;
  const size = 3 * resolution * resolution;
  const rows = Math.ceil(seeds.length / columns);
  const data = new Float32Array(2 * rows * columns * size).fill(-1);
  for (let row = 0; row < rows; row++) {
    const chunk = seeds.slice(row * columns, (row + 1) * columns);
    const z = latentBatch(chunk, zDim);
    const [before, after] = await Promise.all([model.run(z), model.run(z, weights)]);
    data.set(before.image.data, 2 * row * columns * size);
    data.set(after.image.data, (2 * row + 1) * columns * size);
  }
  return { data, shape: [2 * rows * columns, 3, resolution, resolution] };
}
