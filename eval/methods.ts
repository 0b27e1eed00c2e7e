/**
 * The edit methods compared by the evaluation. Each turns one rule into the
 * held-out images after the edit and the time the edit took:
 * - this engine (closed form L2, or IRLS L1; rank 1 or 3; the rule's ridge,
 *   plus rank 1 L2 at a weak ridge 0.01 to show the other end of its trade-off);
 * - the unconstrained single-layer least squares (the engine's full-rank
 *   baseline on the same goal);
 * - the original iterative method (Adam on the layer with the projection,
 *   bench/original_insert.py) on the same goal and D;
 * - fine-tuning every generator weight on a copy-paste target image
 *   (eval/python/finetune.py), at two learning rates: a single-image
 *   fine-tune trades fit against collateral, so one rate would be a straw man.
 */
import type { GeneratorModel, Tensor } from "../server/model";
import type { ModelFeatures } from "../server/engine/modelFeatures";
import { latentBatch } from "../shared/latent";
import {
  applyDeltas,
  boundingBox,
  boxCells,
  decodeMask,
  fullRankUpdate,
  solveRule,
  type Box,
  type LayerWeights,
  type Rule,
  type RuleSolution,
} from "../shared/rewrite";
import { runFinetune, runOriginalInsert } from "./torchBaselines";

export const METHODS = [
  "ours L2 r1",
  "ours L2 r3",
  "ours L1 r1",
  "ours L1 r3",
  "ours L2 r1 ridge.01",
  "full-rank LS",
  "original Adam",
  "fine-tune all lr1e-4",
  "fine-tune all lr1e-3",
] as const;
export type Method = (typeof METHODS)[number];

export interface MethodContext {
  readonly model: GeneratorModel;
  readonly source: ModelFeatures;
  readonly heldOut: readonly number[];
  /** Timed solves per engine method (median reported). */
  readonly repeats: number;
  readonly finetuneSteps: number;
  readonly originalSteps: number;
}

/** Held-out images after the edit; `before` too when the method renders them itself (torch). */
export interface MethodOutcome {
  readonly ms: number;
  readonly after: Tensor;
  readonly before?: Tensor;
  readonly note?: string;
}

export async function runMethod(method: Method, rule: Rule, ctx: MethodContext): Promise<MethodOutcome> {
  switch (method) {
    case "ours L2 r1":
      return engineEdit({ ...rule, solver: "l2", rank: 1 }, ctx);
    case "ours L2 r3":
      return engineEdit({ ...rule, solver: "l2", rank: 3 }, ctx);
    case "ours L1 r1":
      return engineEdit({ ...rule, solver: "l1", rank: 1 }, ctx);
    case "ours L1 r3":
      return engineEdit({ ...rule, solver: "l1", rank: 3 }, ctx);
    case "ours L2 r1 ridge.01":
      return engineEdit({ ...rule, solver: "l2", rank: 1, ridge: 0.01 }, ctx);
    case "full-rank LS":
      return fullRankEdit({ ...rule, solver: "l2", rank: 1 }, ctx);
    case "original Adam":
      return originalEdit({ ...rule, solver: "l2", rank: 1 }, ctx);
    case "fine-tune all lr1e-4":
      return finetuneEdit(rule, ctx, 1e-4);
    case "fine-tune all lr1e-3":
      return finetuneEdit(rule, ctx, 1e-3);
  }
}

/** Held-out images with `weights` loaded. */
export async function heldOutImages(ctx: MethodContext, weights: LayerWeights): Promise<Tensor> {
  const { zDim, resolution: r } = ctx.model.manifest;
  const out = new Float32Array(ctx.heldOut.length * 3 * r * r);
  for (let start = 0; start < ctx.heldOut.length; start += 32) {
    const batch = ctx.heldOut.slice(start, start + 32);
    const { image } = await ctx.model.run(latentBatch(batch, zDim), weights);
    out.set(image.data, start * 3 * r * r);
  }
  return { data: out, shape: [ctx.heldOut.length, 3, r, r] };
}

async function timedSolve(rule: Rule, ctx: MethodContext): Promise<{ solution: RuleSolution; ms: number }> {
  const options = { source: ctx.source, moments: ctx.source.moments };
  const times: number[] = [];
  let solution: RuleSolution | null = null;
  for (let k = 0; k < ctx.repeats; k++) {
    const start = performance.now();
    solution = await solveRule(rule, options);
    times.push(performance.now() - start);
  }
  return { solution: solution!, ms: median(times) };
}

async function engineEdit(rule: Rule, ctx: MethodContext): Promise<MethodOutcome> {
  const { solution, ms } = await timedSolve(rule, ctx);
  const w0 = { data: ctx.source.originalWeight(rule.layer), shape: ctx.model.layer(rule.layer).weight };
  const weights = { [rule.layer]: applyDeltas(rule.layer, w0, [solution.delta]) };
  return { ms, after: await heldOutImages(ctx, weights) };
}

async function fullRankEdit(rule: Rule, ctx: MethodContext): Promise<MethodOutcome> {
  const { solution, ms: solveMs } = await timedSolve(rule, ctx);
  const { problem } = solution;
  const start = performance.now();
  const dense = fullRankUpdate(solution.goalKeys, solution.goalLocations, problem.residual, problem.outputs, problem.damping);
  const ms = solveMs + performance.now() - start;
  const w0 = ctx.source.originalWeight(rule.layer);
  const weights = { [rule.layer]: Float32Array.from(w0, (x, k) => x + rule.strength * dense.data[k]!) };
  return { ms, after: await heldOutImages(ctx, weights) };
}

/** The original's Adam loop on our goal crop and D; its time is the loop alone, on one torch thread. */
async function originalEdit(rule: Rule, ctx: MethodContext): Promise<MethodOutcome> {
  const { solution } = await timedSolve(rule, { ...ctx, repeats: 1 });
  const layer = ctx.model.layer(rule.layer);
  const [, fanIn, kh, kw] = layer.weight as [number, number, number, number];
  // lr 0.05 is the original's for ProGAN's unit-scale (equalised-lr) weights; ours carry
  // the He factor √(2/fan-in) themselves, so the matched step is 0.05·√(2/fan-in).
  const lr = 0.05 * Math.sqrt(2 / (fanIn * kh * kw));
  const goal = await goalCrop(solution, rule, ctx);
  const result = await runOriginalInsert({
    ...goal,
    w0: ctx.source.originalWeight(rule.layer),
    d: Float32Array.from(solution.delta.D.data),
    rank: solution.delta.D.shape[0]!,
    steps: ctx.originalSteps,
    lr,
  });
  return {
    ms: result.ms,
    after: await heldOutImages(ctx, { [rule.layer]: result.weight }),
    note: `lr ${lr.toPrecision(2)}, ${ctx.originalSteps} steps, final loss ${result.finalLoss.toFixed(4)}`,
  };
}

/** Keys and goal values of the goal box, as the original's optimiser takes them. */
async function goalCrop(solution: RuleSolution, rule: Rule, ctx: MethodContext) {
  const box = solution.report.goalBox;
  const [i, , w] = solution.goalKeys.shape as [number, number, number];
  const hw = solution.goalKeys.shape[1]! * w;
  const cells = boxCells(box, w);
  const p = cells.length;
  const o = solution.problem.outputs;
  const keys = new Float32Array(i * p);
  for (let c = 0; c < i; c++) cells.forEach((loc, q) => (keys[c * p + q] = solution.goalKeys.data[c * hw + loc]!));
  const paste = await ctx.source.features(rule.layer, [rule.paste!.seed], {});
  const residualAt = new Map(solution.goalLocations.map((loc, q) => [loc, q]));
  const goal = new Float32Array(o * p);
  const lp = solution.goalLocations.length;
  for (let c = 0; c < o; c++) {
    cells.forEach((loc, q) => {
      const r = residualAt.get(loc);
      goal[c * p + q] = paste.values.data[c * hw + loc]! + (r === undefined ? 0 : solution.problem.residual[c * lp + r]!);
    });
  }
  return { keys, goal, outputs: o, inputs: i, height: box.bottom - box.top, width: box.right - box.left };
}

/**
 * Fine-tunes all weights so that the paste seed's image matches a target
 * image in a box: for paste rules the RGB copy-paste of ALGORITHM.md §4.1
 * (copy box cut from the copy image, pasted at the paste mask's centre with
 * α = mask); for erase rules the image the erased goal values render to,
 * over the paste mask's box.
 */
async function finetuneEdit(rule: Rule, ctx: MethodContext, lr: number): Promise<MethodOutcome> {
  const target = rule.kind === "paste" ? await rgbPasteTarget(rule, ctx) : await erasedTarget(rule, ctx);
  const result = await runFinetune({
    modelDir: ctx.model.directory,
    seed: rule.paste!.seed,
    target: target.image,
    box: target.box,
    heldOut: ctx.heldOut,
    steps: ctx.finetuneSteps,
    lr,
  });
  return {
    ms: result.ms,
    before: result.before,
    after: result.after,
    note: `${ctx.finetuneSteps} steps, box L1 ${result.firstLoss.toFixed(4)} → ${result.finalLoss.toFixed(4)}`,
  };
}

interface TargetImage {
  /** [3,R,R] in [-1,1]. */
  readonly image: Float32Array;
  readonly box: Box;
}

async function rgbPasteTarget(rule: Rule, ctx: MethodContext): Promise<TargetImage> {
  const r = ctx.model.manifest.resolution;
  const { image } = await ctx.model.run(latentBatch([rule.copy!.seed, rule.paste!.seed], ctx.model.manifest.zDim));
  const plane = r * r;
  const copyMask = decodeMask(rule.copy!.mask).data;
  const clipBox = boundingBox(copyMask, r, r);
  const h = clipBox.bottom - clipBox.top;
  const w = clipBox.right - clipBox.left;
  const pasteBox = boundingBox(decodeMask(rule.paste!.mask).data, r, r);
  const cy = Math.floor((pasteBox.top + pasteBox.bottom) / 2);
  const cx = Math.floor((pasteBox.left + pasteBox.right) / 2);
  const top = Math.max(0, Math.min(r - h, cy - Math.floor(h / 2)));
  const left = Math.max(0, Math.min(r - w, cx - Math.floor(w / 2)));
  const target = image.data.slice(3 * plane, 6 * plane);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (clipBox.top + y) * r + clipBox.left + x;
      if (!copyMask[src]) continue;
      for (let c = 0; c < 3; c++) target[c * plane + (top + y) * r + left + x] = image.data[c * plane + src]!;
    }
  }
  return { image: target, box: { top, left, bottom: top + h, right: left + w } };
}

async function erasedTarget(rule: Rule, ctx: MethodContext): Promise<TargetImage> {
  const { solution } = await timedSolve(rule, { ...ctx, repeats: 1 });
  const paste = await ctx.source.features(rule.layer, [rule.paste!.seed], {});
  const value = Float32Array.from(paste.values.data);
  const [o, h, w] = ctx.model.layer(rule.layer).value as [number, number, number];
  const p = solution.goalLocations.length;
  for (let c = 0; c < o; c++) {
    solution.goalLocations.forEach((loc, q) => (value[c * h * w + loc]! += solution.problem.residual[c * p + q]!));
  }
  const image = await ctx.model.render(rule.layer, { data: value, shape: [1, o, h, w] });
  const r = ctx.model.manifest.resolution;
  return { image: Float32Array.from(image.data), box: boundingBox(decodeMask(rule.paste!.mask).data, r, r) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
