/**
 * Benchmark of the rewrite engine on the shipped model: latency of
 * rule → delta (rank 1, 4 context images, forward passes included), a ridge
 * sweep of goal fit against collateral change on held-out seeds, and a
 * comparison with the original iterative method (Adam, 2001 steps, torch on
 * one thread) and with an unconstrained full-rank least-squares update.
 *
 *   npm run bench -- rewrite [--layer conv16] [--runs 15] [--no-torch]
 *
 * The ridge measurement behind DEFAULT_RIDGE is summarised in
 * shared/rewrite/rule.ts; rerun this after the model changes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import pino from "pino";
import { ModelFeatures } from "../server/engine/modelFeatures";
import { GeneratorModel } from "../server/model";
import { latentBatch } from "../shared/latent";
import { conv2dSame, projectChannels } from "../shared/linalg/conv";
import { sliceFirst, type Tensor } from "../shared/linalg/tensor";
import {
  boxCells,
  DEFAULT_RIDGE,
  encodeMask,
  fullRankUpdate,
  maskFromBox,
  parseRule,
  solveRule,
  type FeatureSource,
  type LayerFeatures,
  type LayerWeights,
  type Rule,
  type RuleSolution,
} from "../shared/rewrite";

const RIDGE_NOTE = `ridge is relative: ε = ridge · P · mean(dᵀCd), so ridge 1 weighs the
mean goal error per goal cell equally against the change a typical key
would see; DEFAULT_RIDGE = ${DEFAULT_RIDGE}`;

const MODEL_DIR = new URL("../models/town64/", import.meta.url).pathname;
const HELD_OUT = Array.from({ length: 16 }, (_, i) => 5000 + i);
const RIDGES = [0, 1e-2, 1e-1, 0.3, 1, 3];

const write = (text: string) => process.stdout.write(text);

export async function benchRewrite(argv: readonly string[]): Promise<void> {
  const { values: opts } = parseArgs({
    args: [...argv],
    options: {
      layer: { type: "string", default: "conv16" },
      runs: { type: "string", default: "15" },
      "no-torch": { type: "boolean", default: false },
      "stats-seeds": { type: "string", default: "300" },
      rule: { type: "string" },
    },
  });
  const logger = pino({ level: "silent" });
  const model = await GeneratorModel.load(MODEL_DIR, { logger, executionProvider: "cpu" });
  const source = new ModelFeatures(model, { logger, fallbackSamples: Number(opts["stats-seeds"]) });
  const rule = opts.rule ? await ruleFromFile(opts.rule, source) : benchRule(source, opts.layer!);
  const layer = rule.layer;
  write(`rewrite bench: model ${model.manifest.name}, ${opts.rule ?? "box rule"}, layer ${layer}, ` +
    `${rule.kind}, rank ${rule.rank}, ${rule.context.length} context images, ` +
    `CPU, ${navigatorCores()} cores, load average ${loadavg()[0]!.toFixed(1)}\n`);

  const options = { source, moments: source.moments };
  await solveRule(rule, options); // builds and caches the factor of C
  const latency = await timeSolves(rule, options, Number(opts.runs));
  write(`latency rule → delta, median of ${opts.runs}: ${latency.total.toFixed(1)} ms ` +
    `(forward passes ${latency.forward.toFixed(1)} ms, engine ${latency.engine.toFixed(1)} ms); ` +
    `L1 (IRLS 20) engine ${latency.engineL1.toFixed(1)} ms\n`);

  const heldOut = await heldOutFeatures(model, layer);
  const scale = meanAbs((await model.run(latentBatch(HELD_OUT, model.manifest.zDim))).values[layer]!.data);
  write(`\n${RIDGE_NOTE}\nmean |value| of ${layer} on the held-out seeds: ${scale.toFixed(4)}\n`);
  write("method               goal L1 (before→after)   Δvalue held-out   Δimage held-out\n");
  for (const ridge of RIDGES) {
    const solution = await solveRule({ ...rule, ridge }, options);
    await printRow(`closed form ridge ${ridge}`, solution, rankDelta(solution), model, layer, heldOut);
  }
  const l1 = await solveRule({ ...rule, solver: "l1" }, options);
  await printRow(`IRLS L1 ridge ${rule.ridge}`, l1, rankDelta(l1), model, layer, heldOut);

  const base = await solveRule(rule, options);
  const full = fullRankUpdate(base.goalKeys, base.goalLocations, base.problem.residual,
    base.problem.outputs, base.problem.damping);
  await printRow(`full rank ridge ${rule.ridge}`, base, { dense: full }, model, layer, heldOut);

  if (!opts["no-torch"]) {
    // lr 0.05 is the original's default for ProGAN's equalised-lr weights (unit scale, ×√(2/fan-in) at
    // run time); our weights carry that factor themselves, so the matched lr is 0.05·√(2/fan-in).
    const [, fanIn, kh, kw] = source.layers.find((l) => l.name === layer)!.weight as number[];
    const matched = 0.05 * Math.sqrt(2 / (fanIn! * kh! * kw!));
    for (const lr of [0.05, matched]) {
      const original = await runOriginal(model, base, rule, source, lr);
      await printRow(`original Adam lr ${lr.toPrecision(2)}`, base, { dense: original.delta }, model, layer, heldOut);
      write(`  its own loss (crop, zero-padded): ${original.finalLoss.toFixed(4)}; ${original.ms.toFixed(0)} ms on ` +
        `${original.threads} torch thread(s), solve only; ratio to ours: ` +
        `${(original.ms / latency.total).toFixed(0)}× (ours with forward passes), ` +
        `${(original.ms / latency.engine).toFixed(0)}× (engine only)\n`);
    }
  }
  await model.release();
}

/** Copy from seed 1, paste on seed 2, context: seeds 2–5 at one box. */
function benchRule(source: FeatureSource, layer: string): Rule {
  const [h, w] = source.imageSize;
  const region = (seed: number, top: number, left: number, size: number) => ({
    seed,
    mask: encodeMask(maskFromBox(w, h, { top, left, bottom: top + size, right: left + size })),
  });
  return parseRule(
    {
      version: 1,
      model: "town64",
      layer,
      rank: 1,
      kind: "paste",
      copy: region(1, 20, 20, 16),
      paste: region(2, 24, 16, 16),
      context: [2, 3, 4, 5].map((s) => region(s, 24, 16, 16)),
    },
    { layers: source.layers, imageSize: source.imageSize },
  );
}

async function ruleFromFile(file: string, source: FeatureSource): Promise<Rule> {
  const json: unknown = JSON.parse(await readFile(file, "utf8"));
  return parseRule(json, { layers: source.layers, imageSize: source.imageSize });
}

function navigatorCores(): number {
  return availableParallelism();
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A source that replays one features result, to time the engine alone. */
class ReplaySource implements FeatureSource {
  constructor(
    private readonly inner: FeatureSource,
    private readonly cached: LayerFeatures,
  ) {}
  get layers() { return this.inner.layers; }
  get imageSize() { return this.inner.imageSize; }
  async features(): Promise<LayerFeatures> { return this.cached; }
  originalWeight(layer: string) { return this.inner.originalWeight(layer); }
  secondMoment(layer: string) { return this.inner.secondMoment(layer); }
}

async function timeSolves(rule: Rule, options: { source: ModelFeatures; moments: ModelFeatures["moments"] }, runs: number) {
  const seeds = [...new Set([rule.copy?.seed, rule.paste!.seed, ...rule.context.map((c) => c.seed)])]
    .filter((s): s is number => s !== undefined);
  const total: number[] = [];
  const forward: number[] = [];
  const engine: number[] = [];
  const engineL1: number[] = [];
  const replay = new ReplaySource(options.source, await options.source.features(rule.layer, seeds, {}));
  const replayOptions = { source: replay, moments: options.moments };
  for (let k = 0; k < runs; k++) {
    let t = performance.now();
    await solveRule(rule, options);
    total.push(performance.now() - t);
    t = performance.now();
    await options.source.features(rule.layer, seeds, {});
    forward.push(performance.now() - t);
    t = performance.now();
    await solveRule(rule, replayOptions);
    engine.push(performance.now() - t);
    t = performance.now();
    await solveRule({ ...rule, solver: "l1" }, replayOptions);
    engineL1.push(performance.now() - t);
  }
  return { total: median(total), forward: median(forward), engine: median(engine), engineL1: median(engineL1) };
}

interface HeldOut {
  readonly keys: Tensor;
  readonly images: Tensor;
}

async function heldOutFeatures(model: GeneratorModel, layer: string): Promise<HeldOut> {
  const out = await model.run(latentBatch(HELD_OUT, model.manifest.zDim));
  return { keys: out.keys[layer]!, images: out.image };
}

type Change = { readonly lambda: Tensor; readonly D: Tensor } | { readonly dense: Tensor };

function rankDelta(solution: RuleSolution): Change {
  return { lambda: solution.delta.lambda, D: solution.delta.D };
}

/** ΔW (dense, [O,I,kh,kw]) of a change. */
function denseDelta(change: Change): Tensor<Float64Array> {
  if ("dense" in change) return { data: Float64Array.from(change.dense.data), shape: change.dense.shape };
  const [o, r, kh, kw] = change.lambda.shape as [number, number, number, number];
  const i = change.D.shape[1]!;
  const out = new Float64Array(o * i * kh * kw);
  for (let oc = 0; oc < o; oc++) {
    for (let d = 0; d < r; d++) {
      for (let t = 0; t < kh * kw; t++) {
        const coef = change.lambda.data[(oc * r + d) * kh * kw + t]!;
        for (let ic = 0; ic < i; ic++) out[(oc * i + ic) * kh * kw + t]! += coef * change.D.data[d * i + ic]!;
      }
    }
  }
  return { data: out, shape: [o, i, kh, kw] };
}

/** conv(keys; ΔW) for one key map, cheaply through D K when the change is low-rank. */
function valueChange(keys: Tensor, change: Change): Float64Array {
  if ("dense" in change) return conv2dSame(keys, change.dense).data;
  return conv2dSame(projectChannels(keys, change.D), change.lambda).data;
}

async function printRow(
  label: string,
  solution: RuleSolution,
  change: Change,
  model: GeneratorModel,
  layer: string,
  heldOut: HeldOut,
): Promise<void> {
  const strength = solution.delta.strength;
  const goalChange = valueChange(solution.goalKeys, change);
  const [, h, w] = solution.goalKeys.shape as [number, number, number];
  const p = solution.goalLocations.length;
  const residual = Float64Array.from(solution.problem.residual);
  for (let c = 0; c < solution.problem.outputs; c++) {
    solution.goalLocations.forEach((loc, q) => (residual[c * p + q]! -= strength * goalChange[c * h * w + loc]!));
  }
  const before = meanAbs(solution.problem.residual);
  const after = meanAbs(residual);

  let valueSum = 0;
  const n = heldOut.keys.shape[0]!;
  for (let b = 0; b < n; b++) valueSum += meanAbs(valueChange(sliceFirst(heldOut.keys, b), change)) * strength;
  const weights: LayerWeights = { [layer]: addDelta(model.originalWeight(layer), denseDelta(change), strength) };
  const edited = await model.run(latentBatch(HELD_OUT, model.manifest.zDim), weights);
  const imageChange = meanAbsDiff(edited.image.data, heldOut.images.data);
  write(`${label.padEnd(26)} ${before.toFixed(4)} → ${after.toFixed(4)}       ${(valueSum / n).toFixed(5)}           ${imageChange.toFixed(5)}\n`);
}

function addDelta(w0: Float32Array, delta: Tensor, strength: number): Float32Array {
  return Float32Array.from(w0, (x, k) => x + strength * delta.data[k]!);
}

function meanAbs(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.abs(values[i]!);
  return values.length ? s / values.length : 0;
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** Runs bench/original_insert.py on the same goal crop, D and W0; returns ΔW and its time. */
async function runOriginal(model: GeneratorModel, solution: RuleSolution, rule: Rule, source: FeatureSource, lr: number) {
  const dir = await mkdtemp(join(tmpdir(), "rewrite-bench-"));
  try {
    const { goalBox: box } = solution.report;
    const [i, h, w] = solution.goalKeys.shape as [number, number, number];
    const cells = boxCells(box, w);
    const p = cells.length;
    const o = solution.problem.outputs;
    const keys = new Float32Array(i * p);
    for (let c = 0; c < i; c++) cells.forEach((loc, q) => (keys[c * p + q] = solution.goalKeys.data[c * h * w + loc]!));
    const paste = sliceFirst((await source.features(rule.layer, [rule.paste!.seed], {})).values, 0);
    const goal = new Float32Array(o * p);
    for (let c = 0; c < o; c++) {
      cells.forEach((loc, q) => (goal[c * p + q] = paste.data[c * h * w + loc]! + solution.problem.residual[c * p + q]!));
    }
    const meta = {
      outputs: o, inputs: i, rank: solution.delta.D.shape[0], height: box.bottom - box.top,
      width: box.right - box.left, steps: 2001, lr, piter: 10,
    };
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
    await writeFile(join(dir, "keys.f32"), new Uint8Array(keys.buffer));
    await writeFile(join(dir, "goal.f32"), new Uint8Array(goal.buffer));
    await writeFile(join(dir, "w0.f32"), new Uint8Array(model.originalWeight(rule.layer).buffer));
    await writeFile(join(dir, "d.f32"), new Uint8Array(Float32Array.from(solution.delta.D.data).buffer));
    const script = new URL("./original_insert.py", import.meta.url).pathname;
    await promisify(execFile)("/usr/bin/python3", [script, dir], {
      env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      timeout: 600_000,
    });
    const result = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as { ms: number; threads: number; finalLoss: number };
    const w1 = new Float32Array((await readFile(join(dir, "w1.f32"))).buffer.slice(0));
    const w0 = model.originalWeight(rule.layer);
    const delta = { data: Float64Array.from(w1, (x, k) => x - w0[k]!), shape: [o, i, 3, 3] };
    return { ...result, delta };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
