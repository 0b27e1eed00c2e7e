/**
 * From a validated rule to a weight delta: gather the context keys, find
 * the context directions D, build the goal (paste or erase), and solve for
 * Λ in closed form. Rules compose in order, each solved on the model as
 * edited by the ones before.
 *
 * Known limitation: C is the original model's key second moment. An edit
 * to an earlier layer changes a later layer's keys, so a later rule then
 * works with a slightly stale C (ALGORITHM.md §1.2).
 */
import { patchMatrix, projectChannels } from "../linalg/conv";
import { sliceFirst, type Tensor } from "../linalg/tensor";
import {
  concatWeightedKeys,
  contextDirections,
  gatherWeightedKeys,
  type WeightedKeys,
} from "./contextDirections";
import { withDelta, type RewriteDelta } from "./delta";
import { eraseChannelScores, erasedValues, topChannels } from "./erase";
import { RewriteError } from "./errors";
import type { FeatureSource, LayerFeatures, LayerShape, LayerWeights } from "./featureSource";
import { blendGoal, copyClip, pasteBox } from "./goal";
import { boxCells, decodeMask, maskToCells, type Box } from "./mask";
import { contextRegions, type Region, type Rule } from "./rule";
import type { SecondMomentCache, SecondMomentFactor } from "./secondMoment";
import {
  residualAfter,
  solveLambdaL1,
  solveLambdaL2,
  type IrlsOptions,
  type LambdaProblem,
} from "./solve";

/**
 * The projected keys count as inactive in the goal crop when their mean
 * square there is below this share of what typical keys have along D.
 */
export const INACTIVE_ENERGY_SHARE = 1e-3;

export type RewriteStage = "features" | "directions" | "goal" | "solve" | "done";

export interface RewriteProgress {
  readonly rule: number;
  readonly rules: number;
  readonly stage: RewriteStage;
}

/**
 * Milliseconds spent in each stage of a solve, from the moment `onProgress`
 * reports a stage until it reports the next one. Pass `onProgress` to
 * `solveRule` (or call it from your own handler); `ms` fills as it runs.
 */
export function stageClock(now: () => number = () => performance.now()): {
  readonly onProgress: (progress: RewriteProgress) => void;
  readonly ms: Partial<Record<RewriteStage, number>>;
} {
  const ms: Partial<Record<RewriteStage, number>> = {};
  let current: RewriteStage | null = null;
  let mark = now();
  return {
    ms,
    onProgress: ({ stage }) => {
      const t = now();
      if (current !== null) ms[current] = t - mark;
      [current, mark] = [stage, t];
    },
  };
}

export interface RewriteOptions {
  readonly source: FeatureSource;
  /** Per-layer factors of C, owned by the caller. */
  readonly moments: SecondMomentCache;
  /** Weights to start from; a missing layer is original. */
  readonly weights?: LayerWeights;
  readonly onProgress?: (progress: RewriteProgress) => void;
  readonly irls?: IrlsOptions;
}

/** Figures about one solve, for the UI and the benchmark. */
export interface SolveReport {
  readonly layer: string;
  /** Goal locations P (cells of the paste box, or the whole map for erase). */
  readonly goalCells: number;
  readonly goalBox: Box;
  /** Mean |R| over the goal crop before, and after the edit (at the rule's strength). */
  readonly goalL1Before: number;
  readonly goalL1After: number;
  /** Mean square of D K in the goal crop over that of typical keys (dᵀCd). */
  readonly goalEnergyRatio: number;
  /** ε actually added to AᵀA. */
  readonly damping: number;
  /** Erase rules: the key channels switched off. */
  readonly erasedChannels?: readonly number[];
}

export interface RuleSolution {
  readonly delta: RewriteDelta;
  readonly report: SolveReport;
  /** The pieces of the problem, for baselines and benchmarks. */
  readonly problem: LambdaProblem;
  /** Keys [I,H,W] of the paste image and the goal locations (flat indices). */
  readonly goalKeys: Tensor;
  readonly goalLocations: readonly number[];
}

/** Solves one rule on the model with `options.weights` loaded. */
export async function solveRule(
  rule: Rule,
  options: RewriteOptions,
  index = 0,
  count = 1,
): Promise<RuleSolution> {
  const { source, moments, weights = {} } = options;
  const progress = (stage: RewriteStage) => options.onProgress?.({ rule: index, rules: count, stage });
  const layer = requireLayer(source.layers, rule.layer);
  const [, , kh, kw] = layer.weight as [number, number, number, number];
  const paste = requirePaste(rule);

  progress("features");
  const seeds = ruleSeeds(rule);
  const [factor, features] = await Promise.all([
    moments.get(layer.name),
    source.features(layer.name, seeds, weights),
  ]);
  const image = (seed: number) => imageFeatures(features, seeds.indexOf(seed));

  progress("directions");
  const context = gatherContext(contextRegions(rule), layer, image);
  const d = contextDirections(context, factor, rule.rank);

  progress("goal");
  const target = image(paste.seed);
  const goal =
    rule.kind === "paste"
      ? pasteGoal(rule, layer, image)
      : eraseGoal(rule, layer, target, context, factor, currentWeight(source, weights, layer));

  progress("solve");
  const problem = lambdaProblem(target.keys, d, goal.locations, goal.residual, kh, kw);
  const energy = typicalEnergy(d, factor);
  const goalEnergy = meanSquare(problem.patches);
  checkActive(goalEnergy, energy);
  const damped = { ...problem, damping: rule.ridge * problem.locations * energy };
  const lambda = rule.solver === "l1" ? solveLambdaL1(damped, options.irls) : solveLambdaL2(damped);

  const r = rule.rank;
  const o = layer.weight[0]!;
  const delta: RewriteDelta = {
    layer: layer.name,
    D: d,
    lambda: { data: lambda, shape: [o, r, kh, kw] },
    strength: rule.strength,
  };
  const report: SolveReport = {
    layer: layer.name,
    goalCells: problem.locations,
    goalBox: goal.box,
    goalL1Before: meanAbs(problem.residual),
    goalL1After: meanAbs(residualAfter(damped, lambda.map((x) => x * rule.strength))),
    goalEnergyRatio: goalEnergy / energy,
    damping: damped.damping,
    ...(goal.channels ? { erasedChannels: goal.channels } : {}),
  };
  progress("done");
  return { delta, report, problem: damped, goalKeys: target.keys, goalLocations: goal.locations };
}

/**
 * Solves `rules` in order; rule k sees the weights edited by rules 0..k−1
 * (each at its strength). Returns the deltas and the final weights.
 */
export async function solveRules(
  rules: readonly Rule[],
  options: RewriteOptions,
): Promise<{ solutions: RuleSolution[]; weights: LayerWeights }> {
  let weights: LayerWeights = options.weights ?? {};
  const solutions: RuleSolution[] = [];
  const original = (name: string) => originalWeightTensor(options.source, name);
  for (const [index, rule] of rules.entries()) {
    const solution = await solveRule(rule, { ...options, weights }, index, rules.length);
    solutions.push(solution);
    weights = withDelta(weights, original, solution.delta);
  }
  return { solutions, weights };
}

/** The context directions D of a rule's context alone (for Search / match). */
export async function ruleDirections(rule: Rule, options: RewriteOptions): Promise<Tensor<Float64Array>> {
  const layer = requireLayer(options.source.layers, rule.layer);
  const regions = contextRegions(rule);
  const seeds = regions.map((r) => r.seed);
  const [factor, features] = await Promise.all([
    options.moments.get(layer.name),
    options.source.features(layer.name, seeds, options.weights ?? {}),
  ]);
  const context = gatherContext(regions, layer, (seed) => imageFeatures(features, seeds.indexOf(seed)));
  return contextDirections(context, factor, rule.rank);
}

export function originalWeightTensor(source: FeatureSource, layer: string): Tensor<Float32Array> {
  return { data: source.originalWeight(layer), shape: requireLayer(source.layers, layer).weight };
}

interface ImageFeatures {
  readonly keys: Tensor;
  readonly values: Tensor;
}

interface Goal {
  readonly locations: number[];
  /** O×P: goal minus current output at the locations. */
  readonly residual: Float64Array;
  readonly box: Box;
  readonly channels?: readonly number[];
}

function requireLayer(layers: readonly LayerShape[], name: string): LayerShape {
  const layer = layers.find((l) => l.name === name);
  if (!layer) throw new RewriteError("unknown-layer", `unknown layer "${name}"`);
  return layer;
}

function requirePaste(rule: Rule): Region {
  if (!rule.paste) throw new RewriteError("invalid-rule", "paste: the rule has no paste region");
  return rule.paste;
}

/** Distinct seeds the rule needs (copy, paste, context), in that order. */
export function ruleSeeds(rule: Rule): number[] {
  const all = [rule.copy?.seed, rule.paste?.seed, ...contextRegions(rule).map((r) => r.seed)];
  return [...new Set(all.filter((s): s is number => s !== undefined))];
}

function imageFeatures(features: LayerFeatures, index: number): ImageFeatures {
  return { keys: sliceFirst(features.keys, index), values: sliceFirst(features.values, index) };
}

function cells(region: Region, layer: LayerShape): Float64Array {
  const [, h, w] = layer.key as [number, number, number];
  return maskToCells(decodeMask(region.mask), h, w);
}

function gatherContext(
  regions: readonly Region[],
  layer: LayerShape,
  image: (seed: number) => ImageFeatures,
): WeightedKeys {
  const parts = regions.map((region) => gatherWeightedKeys(image(region.seed).keys, cells(region, layer)));
  const context = concatWeightedKeys(parts);
  if (context.count === 0) throw new RewriteError("empty-mask", "the context masks cover no cell of the layer");
  return context;
}

function pasteGoal(rule: Rule, layer: LayerShape, image: (seed: number) => ImageFeatures): Goal {
  const [, h, w] = layer.value as [number, number, number];
  if (!rule.copy || !rule.paste) throw new RewriteError("invalid-rule", "copy: a paste rule needs copy and paste");
  const clip = copyClip(image(rule.copy.seed).values, cells(rule.copy, layer));
  const box = pasteBox(clip, cells(rule.paste, layer), h, w);
  const current = image(rule.paste.seed).values;
  const goal = blendGoal(current, clip, box);
  const locations = boxCells(box, w);
  return { locations, residual: gather(goal, current.data, locations, h * w), box };
}

function eraseGoal(
  rule: Rule,
  layer: LayerShape,
  target: ImageFeatures,
  context: WeightedKeys,
  factor: SecondMomentFactor,
  weight: Tensor,
): Goal {
  const [, h, w] = layer.value as [number, number, number];
  const channels = topChannels(eraseChannelScores(context, factor.meanSquare), rule.eraseChannels ?? 0);
  const goal = erasedValues(target.keys, target.values, weight, channels);
  const locations = Array.from({ length: h * w }, (_, i) => i);
  const box = { top: 0, left: 0, bottom: h, right: w };
  return { locations, residual: gather(goal, target.values.data, locations, h * w), box, channels };
}

/** (goal − current) at the locations, O×P. */
function gather(
  goal: Float64Array,
  current: ArrayLike<number>,
  locations: readonly number[],
  hw: number,
): Float64Array {
  const o = goal.length / hw;
  const p = locations.length;
  const out = new Float64Array(o * p);
  for (let c = 0; c < o; c++) {
    locations.forEach((loc, q) => (out[c * p + q] = goal[c * hw + loc]! - current[c * hw + loc]!));
  }
  return out;
}

function lambdaProblem(
  keys: Tensor,
  d: Tensor,
  locations: number[],
  residual: Float64Array,
  kh: number,
  kw: number,
): LambdaProblem {
  const patches = patchMatrix(projectChannels(keys, d), locations, kh, kw);
  return {
    patches,
    locations: locations.length,
    unknowns: d.shape[0]! * kh * kw,
    residual,
    outputs: residual.length / locations.length,
    damping: 0,
  };
}

function currentWeight(source: FeatureSource, weights: LayerWeights, layer: LayerShape): Tensor {
  return { data: weights[layer.name] ?? source.originalWeight(layer.name), shape: layer.weight };
}

/** Mean over the rows of D of dᵀ C d. */
function typicalEnergy(d: Tensor, factor: SecondMomentFactor): number {
  const [r, i] = d.shape as [number, number];
  let sum = 0;
  for (let j = 0; j < r; j++) sum += factor.energy(d.data.subarray(j * i, (j + 1) * i));
  return sum / r;
}

function checkActive(goalEnergy: number, typical: number): void {
  if (!(goalEnergy > INACTIVE_ENERGY_SHARE * typical)) {
    throw new RewriteError(
      "inactive-context",
      `the context direction is inactive where the goal is (energy ${goalEnergy.toExponential(2)} ` +
        `vs ${typical.toExponential(2)} for typical keys): no edit along it can reach the goal; ` +
        "add the paste region to the context",
    );
  }
}

function meanSquare(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return values.length ? s / values.length : 0;
}

function meanAbs(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += Math.abs(v);
  return values.length ? s / values.length : 0;
}
