import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { executionProviderFromEnv, Segmenter, type GeneratorModel } from "../../../server/model";
import { parseSeedList } from "../../../shared/latent";
import {
  encodeMask,
  MAX_STRENGTH,
  parseRule,
  type BinaryMask,
  type Rule,
  type RuleInput,
} from "../../../shared/rewrite";
import { CommandFailure, integerOption, parseOptions, UsageError, type CliCommand, type CliContext } from "../command";
import { DEFAULT_MODEL, loadModel, modelOption } from "../modelOption";
import { featuresOf, solveRuleFiles } from "./ruleFiles";
import { area, components, dilate, extent, type Labels } from "./sceneMasks";
import { SceneParts, segmentSeeds, type Part, type Segmented } from "./sceneParts";

/** A part must cover at least this many pixels to be chosen or counted. */
const MIN_PART_PIXELS = 12;
const CONTEXT_IMAGES = 4;
/** An object to copy or to mark must fit in a box this many pixels wide and high. */
const MAX_OBJECT_SIDE = 24;
/** Highest --rank demo-rules accepts (the rule schema allows up to the key channels; demos need no more). */
const MAX_DEMO_RANK = 8;
/** Erase drops this share of key channels (30 of 512 in the original UI). */
const ERASE_SHARE = 30 / 512;

interface Demo {
  readonly name: string;
  readonly kind: "paste" | "erase";
  /** What the rule acts on: context and paste regions. */
  readonly part: Part;
  /** Paste rules: the part copied in. */
  readonly copy?: Part;
  /** Mark every pixel of the part (e.g. all windows), not one compact object. */
  readonly whole?: boolean;
}

const DEMOS: readonly Demo[] = [
  { name: "dome-to-tree", kind: "paste", part: "dome", copy: "tree" },
  { name: "spire-to-dome", kind: "paste", part: "spire", copy: "dome" },
  { name: "tree-on-roof", kind: "paste", part: "roof", copy: "tree" },
  { name: "remove-windows", kind: "erase", part: "window", whole: true },
];

/**
 * `demo-rules`: draws the demo rules from segmenter labels (so they can be
 * regenerated whenever the model changes), writes them as JSON, and
 * measures on held-out seeds how often the rule's part became the target
 * part and how much the rest of the image changed.
 */
export const demoRulesCommand: CliCommand = {
  name: "demo-rules",
  summary: "(re)create the demo rules from the segmenter and evaluate them on held-out seeds",
  usage:
    "demo-rules [--out DIR] [--layer conv16] [--rank 1] [--strength 1] [--scan 0-299] [--evaluate 5000-5199] " +
    "[--ridges 0.01,0.1,1] [--strengths 2,3] [--model DIR]",

  async run(args, context) {
    const options = parseOptions(args, {
      ...modelOption,
      out: { type: "string" },
      layer: { type: "string" },
      scan: { type: "string" },
      evaluate: { type: "string" },
      ridges: { type: "string" },
      strengths: { type: "string" },
      rank: { type: "string" },
      strength: { type: "string" },
    });
    const ridges = numberList(options.ridges, "--ridges", (r) => r >= 0);
    const strengths = numberList(options.strengths, "--strengths", inStrengthRange);
    const rank = integerOption(options.rank, "--rank", 1, 1, MAX_DEMO_RANK);
    const strength = options.strength === undefined ? 1 : Number(options.strength);
    if (options.strength !== undefined && !(DECIMAL.test(options.strength) && inStrengthRange(strength))) {
      throw new UsageError(`--strength must be one number in (0, ${MAX_STRENGTH}], got "${options.strength}"`);
    }
    const scan = parseSeedList(options.scan ?? "0-299", { maxCount: 5000 });
    const heldOut = parseSeedList(options.evaluate ?? "5000-5199", { maxCount: 5000 });
    const out = resolve(options.out ?? join(options.model ?? DEFAULT_MODEL, "rules"));
    const model = await loadModel(options.model, context);
    const segmenter = await Segmenter.load(model.directory, model.manifest, {
      logger: context.logger,
      executionProvider: executionProviderFromEnv(context.env),
    });
    try {
      const layer = options.layer ?? "conv16";
      const scene = new SceneParts(segmenter.classes);
      const scanned = await segmentSeeds(model, segmenter, scan, {});
      const rules: (Rule & { name: string })[] = [];
      const missing: string[] = [];
      for (const demo of DEMOS) {
        try {
          rules.push(buildRule(demo, model, { layer, rank, strength }, scene, scan, scanned));
        } catch (error) {
          if (!(error instanceof CommandFailure)) throw error;
          context.stderr(`skipped ${error.message}\n`);
          missing.push(demo.name);
        }
      }
      await mkdir(out, { recursive: true });
      for (const rule of rules) {
        await writeFile(join(out, `${rule.name}.json`), `${JSON.stringify(rule, null, 1)}\n`);
        context.stdout(`wrote ${join(out, `${rule.name}.json`)}\n`);
      }
      const variants = rules.flatMap((rule) => [
        rule,
        ...ridges.map((ridge) => ({ ...rule, ridge })),
        ...strengths.map((s) => ({ ...rule, strength: s })),
      ]);
      const evaluation = await evaluate(variants, model, segmenter, scene, heldOut, context);
      await writeFile(join(out, "evaluation.json"), `${JSON.stringify(evaluation, null, 1)}\n`);
      context.stdout(formatEvaluation(evaluation));
      if (missing.length > 0) throw new CommandFailure(`could not draw ${missing.join(", ")} from the scanned seeds`);
    } finally {
      await segmenter.release();
      await model.release();
    }
  },
};

/**
 * Seeds ordered by the size of their region of `part`, with that region:
 * the largest object that fits in MAX_OBJECT_SIDE², or all of the part's
 * pixels when `whole`.
 */
function bestRegions(
  part: Part,
  scene: SceneParts,
  seeds: readonly number[],
  scanned: Segmented,
  { whole = false, exclude = [] }: { whole?: boolean; exclude?: readonly number[] } = {},
) {
  const regionOf = (labels: Labels): BinaryMask | undefined => {
    const mask = scene.mask(labels, part);
    if (whole) return mask;
    return components(mask).find((c) => {
      const { height, width } = extent(c);
      return height <= MAX_OBJECT_SIDE && width <= MAX_OBJECT_SIDE;
    });
  };
  return seeds
    .map((seed, i) => ({ seed, mask: regionOf(scanned.labels[i]!) }))
    .filter((r): r is { seed: number; mask: BinaryMask } => r.mask !== undefined)
    .filter((r) => !exclude.includes(r.seed) && area(r.mask) >= MIN_PART_PIXELS)
    .sort((a, b) => area(b.mask) - area(a.mask) || a.seed - b.seed);
}

/** A plain decimal number (no hex, no empty string, which Number() would take as 0). */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

const inStrengthRange = (s: number) => s > 0 && s <= MAX_STRENGTH;

function numberList(text: string | undefined, flag: string, valid: (x: number) => boolean): number[] {
  if (text === undefined) return [];
  const parts = text.split(",");
  const values = parts.map(Number);
  if (parts.some((p) => !DECIMAL.test(p)) || values.some((x) => !Number.isFinite(x) || !valid(x))) {
    throw new UsageError(`${flag} must be a comma-separated list of numbers in range, got "${text}"`);
  }
  return values;
}

function buildRule(
  demo: Demo,
  model: GeneratorModel,
  { layer, rank, strength }: { layer: string; rank: number; strength: number },
  scene: SceneParts,
  seeds: readonly number[],
  scanned: Segmented,
): Rule & { name: string } {
  const regions = bestRegions(demo.part, scene, seeds, scanned, { whole: demo.whole }).slice(0, CONTEXT_IMAGES);
  if (regions.length === 0) {
    throw new CommandFailure(`${demo.name}: no scanned seed shows a ${demo.part} of ${MIN_PART_PIXELS}+ pixels`);
  }
  const encoded = regions.map((r) => ({ seed: r.seed, mask: encodeMask(r.mask) }));
  const spec = model.layer(layer);
  const input: RuleInput = {
    version: 1,
    name: demo.name,
    model: model.manifest.name,
    layer,
    rank,
    strength,
    kind: demo.kind,
    paste: encoded[0]!,
    context: encoded,
  };
  if (demo.kind === "erase") {
    input.eraseChannels = Math.max(1, Math.round(spec.key[0] * ERASE_SHARE));
  } else {
    const copy = bestRegions(demo.copy!, scene, seeds, scanned, { exclude: regions.map((r) => r.seed) })[0];
    if (!copy) throw new CommandFailure(`${demo.name}: no scanned seed shows a ${demo.copy} to copy`);
    input.copy = { seed: copy.seed, mask: encodeMask(copy.mask) };
  }
  const size = model.manifest.resolution;
  const layers = model.layers.map((l) => ({ name: l.name, weight: l.weight, key: l.key, value: l.value }));
  return { ...parseRule(input, { layers, imageSize: [size, size] }), name: demo.name };
}

interface RuleEvaluation {
  readonly rule: string;
  readonly layer: string;
  readonly ridge: number;
  readonly rank: number;
  readonly strength: number;
  readonly heldOutSeeds: string;
  /** Held-out images showing the rule's part (≥ MIN_PART_PIXELS). */
  readonly imagesWithPart: number;
  /** Share of the part's pixels labelled as the target afterwards (paste: copied class; erase: anything else). */
  readonly efficacy: number;
  /** Mean |Δ| per pixel and channel inside the part, and outside it (dilated by 2 px), in [-1, 1] units. */
  readonly changeInside: number;
  readonly changeOutside: number;
}

async function evaluate(
  rules: readonly (Rule & { name: string })[],
  model: GeneratorModel,
  segmenter: Segmenter,
  scene: SceneParts,
  seeds: readonly number[],
  context: CliContext,
): Promise<RuleEvaluation[]> {
  const before = await segmentSeeds(model, segmenter, seeds, {});
  const source = featuresOf(model, context);
  const results: RuleEvaluation[] = [];
  for (const rule of rules) {
    const demo = DEMOS.find((d) => d.name === rule.name)!;
    const { weights } = await solveRuleFiles([{ file: rule.name, rule }], source, context);
    const after = await segmentSeeds(model, segmenter, seeds, weights);
    results.push({
      rule: rule.name,
      layer: rule.layer,
      ridge: rule.ridge,
      rank: rule.rank,
      strength: rule.strength,
      heldOutSeeds: `${seeds[0]}-${seeds.at(-1)}`,
      ...compare(demo, scene, before, after),
    });
  }
  return results;
}

function compare(demo: Demo, scene: SceneParts, before: Segmented, after: Segmented) {
  const target = demo.kind === "paste" ? scene.classOf(demo.copy!) : -1;
  const partClass = scene.classOf(demo.part);
  const [count = 0, , h = 0, w = 0] = before.images.shape;
  let imagesWithPart = 0;
  let partPixels = 0;
  let hits = 0;
  const inside = { sum: 0, n: 0 };
  const outside = { sum: 0, n: 0 };
  for (let i = 0; i < count; i++) {
    const part = scene.mask(before.labels[i]!, demo.part);
    const near = dilate(part, 2);
    for (let p = 0; p < h * w; p++) {
      let change = 0;
      for (let c = 0; c < 3; c++) {
        const k = (i * 3 + c) * h * w + p;
        change += Math.abs(after.images.data[k]! - before.images.data[k]!) / 3;
      }
      const bucket = part.data[p] ? inside : near.data[p] ? null : outside;
      if (bucket) [bucket.sum, bucket.n] = [bucket.sum + change, bucket.n + 1];
    }
    if (area(part) < MIN_PART_PIXELS) continue;
    imagesWithPart++;
    for (let p = 0; p < h * w; p++) {
      if (!part.data[p]) continue;
      partPixels++;
      const label = after.labels[i]!.data[p]!;
      if (demo.kind === "paste" ? label === target : label !== partClass) hits++;
    }
  }
  return {
    imagesWithPart,
    efficacy: partPixels ? hits / partPixels : 0,
    changeInside: inside.n ? inside.sum / inside.n : 0,
    changeOutside: outside.n ? outside.sum / outside.n : 0,
  };
}

function formatEvaluation(rows: readonly RuleEvaluation[]): string {
  const lines = rows.map(
    (r) =>
      `${r.rule.padEnd(16)} ${r.layer.padEnd(7)} ${String(r.rank).padEnd(5)}${String(r.ridge).padEnd(6)} ` +
      `${String(r.strength).padEnd(9)}${String(r.imagesWithPart).padStart(6)}   ` +
      `${(100 * r.efficacy).toFixed(1).padStart(6)} %   ${r.changeInside.toFixed(4)}   ${r.changeOutside.toFixed(4)}`,
  );
  return `rule             layer   rank ridge strength  images   efficacy   Δ inside   Δ outside\n${lines.join("\n")}\n`;
}
