import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import { writeGridPng, type GeneratorModel, type Tensor } from "../../../server/model";
import { latentBatch, parseSeedList } from "../../../shared/latent";

import {
  CommandFailure,
  integerOption,
  MAX_SCALE,
  parseOptions,
  required,
  UsageError,
  type CliCommand,
} from "../command";
import { loadModel, modelOption } from "../modelOption";
import { compareCommand } from "./compare";

/** Most images one grid may hold. */
const MAX_IMAGES = 1024;
const BATCH = 16;

/**
 * `sample`: generate the images of some seeds and tile them into one PNG;
 * with `--rules`, the before/after grid of `compare`.
 */
export const sampleCommand: CliCommand = {
  name: "sample",
  summary: "write the images of some seeds as one PNG grid",
  usage: "sample --seeds 0-15,20 --out grid.png [--rules a.json,b.json] [--model DIR] [--scale N] [--columns N]",

  async run(args, context) {
    if (args.some((arg) => arg === "--rules" || arg.startsWith("--rules="))) return compareCommand.run(args, context);
    const options = parseOptions(args, {
      ...modelOption,
      seeds: { type: "string" },
      out: { type: "string" },
      scale: { type: "string" },
      columns: { type: "string" },
    });
    const seeds = parseSeedList(required(options.seeds, "--seeds"), { maxCount: MAX_IMAGES });
    const out = resolve(required(options.out, "--out"));
    const scale = integerOption(options.scale, "--scale", 1, 1, MAX_SCALE);
    const columns = integerOption(options.columns, "--columns", Math.ceil(Math.sqrt(seeds.length)));
    if (!out.toLowerCase().endsWith(".png")) throw new UsageError(`--out must name a .png file, got "${options.out}"`);
    await assertDirectory(dirname(out));

    const model = await loadModel(options.model, context);
    try {
      const images = await generate(model, seeds);
      const grid = await writeGridPng(out, images, { columns, scale }).catch((error: Error) => {
        throw new CommandFailure(`cannot write ${out}: ${error.message}`);
      });
      context.stdout(`wrote ${out}: ${seeds.length} images, ${grid.width}×${grid.height} px\n`);
    } finally {
      await model.release();
    }
  },
};

async function assertDirectory(path: string): Promise<void> {
  const isDirectory = await stat(path).then((s) => s.isDirectory(), () => false);
  if (!isDirectory) throw new CommandFailure(`cannot write there: ${path} is not a directory`);
}

/** The images of `seeds`, [N, 3, R, R], generated a batch at a time. */
async function generate(model: GeneratorModel, seeds: readonly number[]): Promise<Tensor> {
  const { zDim, resolution } = model.manifest;
  const size = 3 * resolution * resolution;
  const data = new Float32Array(seeds.length * size);
  for (let start = 0; start < seeds.length; start += BATCH) {
    const batch = seeds.slice(start, start + BATCH);
    const { image } = await model.run(latentBatch(batch, zDim));
    data.set(image.data, start * size);
  }
  return { data, shape: [seeds.length, 3, resolution, resolution] };
}
