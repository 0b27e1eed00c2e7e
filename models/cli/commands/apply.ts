import { cp, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

import { freezeWeightInputs, type FrozenWeight } from "../../../server/export/onnxWeights";
import { modelFingerprint, type GeneratorModel, type LayerWeights } from "../../../server/model";
import { CommandFailure, parseWithPositionals, UsageError, type CliCommand } from "../command";
import { DEFAULT_MODEL, loadModel } from "../modelOption";
import { featuresOf, readRules, solveRuleFiles } from "./ruleFiles";

/**
 * `apply`: solve rule files in order and write the edited model: with
 * `--out edited.onnx`, one ONNX file that takes only `z` (the generator
 * graph with every rewritable weight frozen in, edited where a rule
 * changed it); with `--out DIR`, a copy of the model folder with the
 * edited `<layer>.weight.f32` files, its manifest listing the rules applied
 * (after those of the folder it started from) and keeping the base model's
 * key statistics, as the server does for a session's rules: a later rule
 * is solved against the original C (shared/rewrite/engine.ts), so applying
 * rules one folder at a time gives what applying them together gives —
 * when the base folder's statistics are current. Stale ones are dropped,
 * and the edited folder then estimates C with a warning.
 */
export const applyCommand: CliCommand = {
  name: "apply",
  summary: "apply rule files in order and write the edited model (one .onnx file, or a model folder)",
  usage: "apply rule.json [more.json ...] --out edited.onnx|DIR [--model DIR]",

  async run(args, context) {
    const { values, positionals } = parseWithPositionals(args, {
      model: { type: "string" },
      out: { type: "string" },
    });
    if (values.out === undefined) throw new UsageError("missing --out");
    const out = resolve(values.out);
    const single = out.toLowerCase().endsWith(".onnx");
    if (await exists(out)) {
      throw new UsageError(`--out ${values.out} already exists; choose a new ${single ? "file" : "folder"}`);
    }
    const modelDir = resolve(values.model ?? DEFAULT_MODEL);

    const model = await loadModel(modelDir, context);
    try {
      const rules = await readRules(positionals, model);
      const { weights } = await solveRuleFiles(rules, featuresOf(model, context), context);
      const changed = Object.keys(weights).join(", ");
      if (single) {
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, await frozenGraph(model, weights), { flag: "wx" });
        context.stdout(`wrote ${out}: ${rules.length} rule(s) applied to ${changed}; input z [N, ${model.manifest.zDim}]\n`);
        return;
      }

      await mkdir(out, { recursive: true });
      await copyFolder(modelDir, out);
      const manifest = JSON.parse(await readFile(join(modelDir, "manifest.json"), "utf8")) as {
        layers: { name: string; weightFile: string }[];
        rewrites?: { base: string; rules: unknown[] };
        stats?: Record<string, { modelSha256?: string; base?: string }>;
        [key: string]: unknown;
      };
      for (const [layer, weight] of Object.entries(weights)) {
        const spec = manifest.layers.find((l) => l.name === layer)!;
        await writeFile(join(out, spec.weightFile), new Uint8Array(weight.buffer, weight.byteOffset, weight.byteLength));
      }
      manifest.rewrites = {
        base: manifest.rewrites?.base ?? (manifest.name as string),
        rules: [...(manifest.rewrites?.rules ?? []), ...rules.map((r) => ({ file: basename(r.file), rule: r.rule }))],
      };
      await keepBaseStatistics(model, out, manifest);
      await writeFile(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
      context.stdout(`wrote ${out}: ${rules.length} rule(s) applied to ${changed}\n`);
    } finally {
      await model.release();
    }
  },
};

/**
 * Marks the base model's statistics as current for the edited files: the
 * engine solves every rule against the unedited model's C, and the edited
 * folder should too rather than re-estimating C from its own samples.
 * Only entries that were current for the base folder are kept.
 */
async function keepBaseStatistics(
  base: GeneratorModel,
  out: string,
  manifest: { stats?: Record<string, { modelSha256?: string; base?: string }>; rewrites?: { base: string } },
): Promise<void> {
  if (!manifest.stats) return;
  // The edited folder names the same graph and weight files as its base.
  const baseFingerprint = await modelFingerprint(base.directory, base.manifest);
  const fingerprint = await modelFingerprint(out, base.manifest);
  for (const [layer, entry] of Object.entries(manifest.stats)) {
    if (entry.modelSha256 !== baseFingerprint) {
      delete manifest.stats[layer];
      continue;
    }
    entry.modelSha256 = fingerprint;
    entry.base = `statistics of ${manifest.rewrites?.base ?? "the base model"}, kept for its edits`;
  }
}

/** The model's generator graph with every weight input frozen to its (edited) weight. */
async function frozenGraph(model: GeneratorModel, weights: LayerWeights): Promise<Uint8Array> {
  const frozen: Record<string, FrozenWeight> = {};
  for (const layer of model.layers) {
    frozen[layer.weightInput] = { data: weights[layer.name] ?? model.originalWeight(layer.name), shape: layer.weight };
  }
  return freezeWeightInputs(await readFile(join(model.directory, model.manifest.generator)), frozen);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Files an edited folder does not get: the torch state dict holds the
 * unedited weights, so a copy would contradict the edited weight files.
 */
const NOT_COPIED = new Set(["generator.pt"]);

async function copyFolder(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || NOT_COPIED.has(entry.name)) continue;
    await cp(join(from, entry.name), join(to, entry.name)).catch((error: Error) => {
      throw new CommandFailure(`cannot copy ${entry.name}: ${error.message}`);
    });
  }
}
