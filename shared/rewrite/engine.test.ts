import { describe, expect, it } from "vitest";
import { conv2dSame } from "../linalg/conv";
import { sliceFirst, type Tensor } from "../linalg/tensor";
import {
  concatWeightedKeys,
  contextDirections,
  gatherWeightedKeys,
  mergeRepeatedKeys,
  type WeightedKeys,
} from "./contextDirections";
import { symmetricEigen } from "../linalg/symmetricEigen";
import { applyDeltas, composeWeights } from "./delta";
import { originalWeightTensor, ruleSeeds, solveRule, solveRules, stageClock, type RewriteProgress } from "./engine";
import { RewriteError } from "./errors";
import { decodeMask, maskToCells } from "./mask";
import { matchScores, rankSeeds, scoreQuantile } from "./match";
import { SecondMomentCache } from "./secondMoment";
import { objectRegion, pasteRuleInput, regionAt, rule } from "./testing/rules";
import { BLANK_TOP_FROM, hasObject, objectCells, SyntheticSource } from "./testing/syntheticSource";

const source = new SyntheticSource();
const moments = new SecondMomentCache((layer) => source.secondMoment(layer));
const options = { source, moments };

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function valuesOf(seed: number, weights: Record<string, Float32Array>, layer = "a"): Promise<Tensor> {
  return sliceFirst((await source.features(layer, [seed], weights)).values, 0);
}

describe("context directions", () => {
  it("for one key are C⁻¹k*, normalised, with a positive response to k*", async () => {
    const factor = await moments.get("a");
    const keys = sliceFirst((await source.features("a", [3], {})).keys, 0);
    const cells = new Float64Array(64);
    cells[5 * 8 + 2] = 1;
    const context = gatherWeightedKeys(keys, cells);
    const d = contextDirections(context, factor, 1).data;
    const expected = factor.solve(context.keys);
    const len = Math.hypot(...expected);
    expect(maxAbs(d, expected.map((x) => x / len))).toBeLessThan(1e-8);
  });

  it("are the same when repeated keys are merged, against a dense generalised eigenproblem", async () => {
    const factor = await moments.get("a");
    const { keys } = await source.features("a", [9, 12], {});
    const once = concatWeightedKeys(
      [0, 1].map((b) => gatherWeightedKeys(sliceFirst(keys, b), maskToCells(decodeMask(objectRegion([9, 12][b]!).mask), 8, 8))),
    );
    // Key i repeated 1–3 times, the repeats at half weight, as an upsampled layer repeats its keys
    // (unequal repeats, so a wrong merged weight would tilt D).
    const m = once.channels;
    const rows = Array.from({ length: once.count }, (_, i) => Array<number>((i % 3) + 1).fill(i)).flat();
    const repeated: WeightedKeys = {
      keys: Float64Array.from(rows.flatMap((i) => Array.from(once.keys.subarray(i * m, (i + 1) * m)))),
      weights: Float64Array.from(rows, (i, k) => once.weights[i]! * (rows.indexOf(i) === k ? 1 : 0.5)),
      count: rows.length,
      channels: m,
    };
    const merged = mergeRepeatedKeys(repeated);
    expect(merged.count).toBe(once.count);
    expect(mergeRepeatedKeys(once)).toBe(once);

    // Reference: the top eigenvector of Z (Σ wᵢ² kᵢkᵢᵀ) Z, through Z, normalised.
    const a = new Float64Array(m * m);
    for (let r = 0; r < repeated.count; r++) {
      const w2 = repeated.weights[r]! ** 2;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) a[i * m + j]! += w2 * repeated.keys[r * m + i]! * repeated.keys[r * m + j]!;
    }
    const z = factor.whitening;
    const zaz = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let sum = 0;
        for (let k = 0; k < m; k++) for (let l = 0; l < m; l++) sum += z[i * m + k]! * a[k * m + l]! * z[l * m + j]!;
        zaz[i * m + j] = sum;
      }
    }
    const top = symmetricEigen(zaz, m).vectors.subarray(0, m);
    const back = factor.whiten(top);
    const len = Math.hypot(...back);
    const d = contextDirections(repeated, factor, 1).data;
    const sign = d.reduce((s, x, c) => s + x * back[c]!, 0) < 0 ? -1 : 1;
    expect(maxAbs(d, back.map((x) => (sign * x) / len))).toBeLessThan(1e-9);
  });

  it("do not depend on the order of the context locations", async () => {
    const factor = await moments.get("a");
    const { keys } = await source.features("a", [9, 12, 15], {});
    const parts = [0, 1, 2].map((b) =>
      gatherWeightedKeys(sliceFirst(keys, b), maskToCells(decodeMask(objectRegion([9, 12, 15][b]!).mask), 8, 8)),
    );
    const forward = contextDirections(concatWeightedKeys(parts), factor, 2).data;
    const backward = contextDirections(concatWeightedKeys([...parts].reverse()), factor, 2).data;
    expect(maxAbs(forward, backward)).toBeLessThan(1e-9);
  });

  it("of rank 2 are orthonormal rows, each responding positively to the weighted context keys", async () => {
    const solved = await solveRule(rule(source, pasteRuleInput({ rank: 2 })), options);
    const d = solved.delta.D.data;
    expect(solved.delta.D.shape).toEqual([2, 12]);
    expect(solved.delta.lambda.shape).toEqual([10, 2, 3, 3]);
    const dot = (a: number, b: number) => Array.from({ length: 12 }, (_, c) => d[a * 12 + c]! * d[b * 12 + c]!).reduce((s, x) => s + x);
    expect(dot(0, 0)).toBeCloseTo(1, 12);
    expect(dot(1, 1)).toBeCloseTo(1, 12);
    expect(dot(0, 1)).toBeCloseTo(0, 12);
    const seeds = [9, 12, 15, 18];
    const { keys } = await source.features("a", seeds, {});
    const context = concatWeightedKeys(
      seeds.map((seed, b) => gatherWeightedKeys(sliceFirst(keys, b), maskToCells(decodeMask(objectRegion(seed).mask), 8, 8))),
    );
    for (const j of [0, 1]) {
      let along = 0;
      for (let row = 0; row < context.count; row++) {
        for (let c = 0; c < 12; c++) along += context.weights[row]! * d[j * 12 + c]! * context.keys[row * 12 + c]!;
      }
      expect(along).toBeGreaterThan(0);
    }
  });

  it("refuse a rank the context cannot support", async () => {
    const one = regionAt(3, { top: 0, left: 0, bottom: 1, right: 1 });
    await expect(solveRule(rule(source, pasteRuleInput({ rank: 2, context: [one] })), options)).rejects.toMatchObject({
      code: "context-too-small",
    });
  });
});

describe("a paste rule", () => {
  const input = pasteRuleInput({ ridge: 1e-4 });

  it("moves the paste image's goal crop most of the way to the goal", async () => {
    const { report, delta } = await solveRule(rule(source, input), options);
    expect(report.goalL1After).toBeLessThan(0.5 * report.goalL1Before);
    expect(delta.D.shape).toEqual([1, 12]);
    expect(delta.lambda.shape).toEqual([10, 1, 3, 3]);
  });

  it("reports the goal loss that a real forward pass with the edited weight gives", async () => {
    const solution = await solveRule(rule(source, input), options);
    const w1 = applyDeltas("a", originalWeightTensor(source, "a"), [solution.delta]);
    const before = await valuesOf(6, {});
    const after = await valuesOf(6, { a: w1 });
    const { goalLocations: locs, problem } = solution;
    const p = locs.length;
    let l1 = 0;
    for (let c = 0; c < 10; c++) {
      locs.forEach((loc, q) => {
        const goal = before.data[c * 64 + loc]! + problem.residual[c * p + q]!;
        l1 += Math.abs(after.data[c * 64 + loc]! - goal);
      });
    }
    expect(l1 / (10 * p)).toBeCloseTo(solution.report.goalL1After, 4);
  });

  it("changes the cells of the context object in other images far more than cells away from it", async () => {
    const { delta } = await solveRule(rule(source, input), options);
    const w1 = applyDeltas("a", originalWeightTensor(source, "a"), [delta]);
    let onObject = 0;
    let away = 0;
    let nOn = 0;
    let nAway = 0;
    for (const seed of [21, 24, 27, 30]) {
      const before = (await valuesOf(seed, {})).data;
      const after = (await valuesOf(seed, { a: w1 })).data;
      const box = objectCells(seed);
      for (let cell = 0; cell < 64; cell++) {
        const [y, x] = [Math.floor(cell / 8), cell % 8];
        const inside = y >= box.top && y < box.bottom && x >= box.left && x < box.right;
        const near = y >= box.top - 2 && y < box.bottom + 2 && x >= box.left - 2 && x < box.right + 2;
        let change = 0;
        for (let c = 0; c < 10; c++) change += Math.abs(after[c * 64 + cell]! - before[c * 64 + cell]!);
        if (inside) [onObject, nOn] = [onObject + change, nOn + 1];
        else if (!near) [away, nAway] = [away + change, nAway + 1];
      }
    }
    expect(onObject / nOn).toBeGreaterThan(4 * (away / nAway));
  });

  it("gives the same delta whatever the order of its context entries", async () => {
    const one = await solveRule(rule(source, input), options);
    const two = await solveRule(rule(source, { ...input, context: [...input.context!].reverse() }), options);
    expect(maxAbs(one.delta.D.data, two.delta.D.data)).toBeLessThan(1e-9);
    expect(maxAbs(one.delta.lambda.data, two.delta.lambda.data)).toBeLessThan(1e-7);
  });

  it("scales its delta by its strength", async () => {
    const full = await solveRule(rule(source, input), options);
    const half = await solveRule(rule(source, { ...input, strength: 0.5 }), options);
    const w0 = originalWeightTensor(source, "a");
    const dFull = applyDeltas("a", w0, [full.delta]).map((x, k) => x - w0.data[k]!);
    const dHalf = applyDeltas("a", w0, [half.delta]).map((x, k) => x - w0.data[k]!);
    expect(maxAbs(dHalf.map((x) => 2 * x), dFull)).toBeLessThan(1e-5);
  });

  it("fits the goal worse but edits less as the ridge grows", async () => {
    const reports = await Promise.all(
      [1e-4, 1e-1, 10].map((ridge) => solveRule(rule(source, { ...input, ridge }), options)),
    );
    const losses = reports.map((s) => s.report.goalL1After);
    const sizes = reports.map((s) => Math.hypot(...s.delta.lambda.data));
    expect(losses[0]!).toBeLessThan(losses[1]!);
    expect(losses[1]!).toBeLessThan(losses[2]!);
    expect(sizes[0]!).toBeGreaterThan(sizes[1]!);
    expect(sizes[1]!).toBeGreaterThan(sizes[2]!);
  });

  it("with the L1 solver has a lower goal L1 loss than with L2", async () => {
    const wide = { ...input, copy: regionAt(4, { top: 1, left: 1, bottom: 5, right: 5 }) };
    const l2 = await solveRule(rule(source, wide), options);
    const l1 = await solveRule(rule(source, { ...wide, solver: "l1" }), options);
    expect(l1.report.goalL1After).toBeLessThan(l2.report.goalL1After);
  });

  it("is refused with inactive-context when the context direction is silent in the paste region", async () => {
    const blank = pasteRuleInput({ paste: regionAt(BLANK_TOP_FROM, { top: 0, left: 2, bottom: 2, right: 4 }) });
    const promise = solveRule(rule(source, blank), options);
    await expect(promise).rejects.toBeInstanceOf(RewriteError);
    await expect(promise).rejects.toMatchObject({ code: "inactive-context" });
  });

  it("reports progress through its callback, stage by stage", async () => {
    const stages: RewriteProgress["stage"][] = [];
    await solveRule(rule(source, input), { ...options, onProgress: (p) => stages.push(p.stage) });
    expect(stages).toEqual(["features", "directions", "goal", "solve", "done"]);
  });
});

describe("an erase rule", () => {
  const input = pasteRuleInput({
    kind: "erase",
    copy: undefined,
    eraseChannels: 3,
    ridge: 1e-4,
    paste: objectRegion(6),
  });

  it("switches off the channels that carry the context pattern", async () => {
    const { report } = await solveRule(rule(source, input), options);
    expect([...report.erasedChannels!].sort()).toEqual([0, 1, 3]);
  });

  it("brings the paste image's output towards the output without those channels", async () => {
    const { report, delta } = await solveRule(rule(source, input), options);
    const w0 = originalWeightTensor(source, "a");
    const w1 = applyDeltas("a", w0, [delta]);
    const keys = sliceFirst((await source.features("a", [6], {})).keys, 0);
    const erased = conv2dSame(keys, w0, { channels: [2, 4, 5, 6, 7, 8, 9, 10, 11] }).data;
    const box = objectCells(6);
    const inObject = (vals: ArrayLike<number>) => {
      let s = 0;
      for (let c = 0; c < 10; c++) {
        for (let y = box.top; y < box.bottom; y++) {
          for (let x = box.left; x < box.right; x++) s += Math.abs(vals[c * 64 + y * 8 + x]! - erased[c * 64 + y * 8 + x]!);
        }
      }
      return s;
    };
    const before = inObject((await valuesOf(6, {})).data);
    const after = inObject((await valuesOf(6, { a: w1 })).data);
    expect(after).toBeLessThan(0.5 * before);
    expect(report.goalL1After).toBeLessThan(report.goalL1Before);
  });
});

describe("composition", () => {
  const first = rule(source, pasteRuleInput({ ridge: 1e-3 }));
  const onB = rule(source, pasteRuleInput({ layer: "b", ridge: 1e-3 }));

  it("solves each rule on the model as edited by the rules before it", async () => {
    const { solutions, weights } = await solveRules([first, onB], options);
    const alone = await solveRule(onB, options);
    const afterFirst = await solveRule(onB, {
      ...options,
      weights: { a: applyDeltas("a", originalWeightTensor(source, "a"), [solutions[0]!.delta]) },
    });
    expect(maxAbs(solutions[1]!.delta.lambda.data, afterFirst.delta.lambda.data)).toBeLessThan(1e-12);
    expect(maxAbs(solutions[1]!.delta.lambda.data, alone.delta.lambda.data)).toBeGreaterThan(1e-3);
    const composed = composeWeights((l) => originalWeightTensor(source, l), solutions.map((s) => s.delta));
    expect(maxAbs(composed.a!, weights.a!)).toBe(0);
    expect(maxAbs(composed.b!, weights.b!)).toBe(0);
  });

  it("leaves a rule unaffected by rules on later layers", async () => {
    const { solutions } = await solveRules([onB, first], options);
    const alone = await solveRule(first, options);
    expect(maxAbs(solutions[1]!.delta.lambda.data, alone.delta.lambda.data)).toBe(0);
  });

  it("adds deltas of one layer in any order", async () => {
    const second = rule(source, pasteRuleInput({ ridge: 1e-3, paste: objectRegion(24) }));
    const { solutions } = await solveRules([first, second], options);
    const deltas = solutions.map((s) => s.delta);
    const w0 = originalWeightTensor(source, "a");
    expect(maxAbs(applyDeltas("a", w0, deltas), applyDeltas("a", w0, [...deltas].reverse()))).toBeLessThan(1e-6);
  });
});

describe("matching", () => {
  it("ranks seeds with the context object above seeds without it", async () => {
    const { solutions } = await solveRules([rule(source, pasteRuleInput())], options);
    const direction = solutions[0]!.delta.D.data;
    const seeds = Array.from({ length: 30 }, (_, i) => 100 + i);
    const ranked = await rankSeeds(source, "a", seeds, direction, { batchSize: 7 });
    const objects = seeds.filter(hasObject).length;
    expect(ranked.slice(0, objects).every((m) => hasObject(m.seed))).toBe(true);
  });

  it("peaks at the object's cells and marks them above the 99th percentile", async () => {
    const { solutions } = await solveRules([rule(source, pasteRuleInput())], options);
    const direction = solutions[0]!.delta.D.data;
    const sample = await source.features("a", Array.from({ length: 60 }, (_, i) => 2000 + i), {});
    const threshold = scoreQuantile(
      Array.from({ length: 60 }, (_, b) => matchScores(sliceFirst(sample.keys, b), direction)),
      0.99,
    );
    const scores = matchScores(sliceFirst((await source.features("a", [33], {})).keys, 0), direction);
    const box = objectCells(33);
    const peak = scores.indexOf(Math.max(...scores));
    expect(Math.floor(peak / 8)).toBeGreaterThanOrEqual(box.top);
    expect(Math.floor(peak / 8)).toBeLessThan(box.bottom);
    expect(scores[peak]!).toBeGreaterThan(threshold);
    expect(scores.filter((s) => s > threshold).length).toBeLessThanOrEqual(4);
  });
});

describe("stageClock", () => {
  it("gives each stage the time until the next one was reported", () => {
    const times = [0, 5, 7, 12, 20];
    let k = 0;
    const clock = stageClock(() => times[k++]!);
    for (const stage of ["features", "directions", "goal", "done"] as const) clock.onProgress({ rule: 0, rules: 1, stage });
    expect(clock.ms).toEqual({ features: 2, directions: 5, goal: 8 });
  });

  it("times a real solve in every stage, and the rule's seeds are those it reads", async () => {
    const clock = stageClock();
    const r = rule(source, pasteRuleInput());
    await solveRule(r, { ...options, onProgress: clock.onProgress });
    expect(Object.keys(clock.ms).sort()).toEqual(["directions", "features", "goal", "solve"]);
    expect(new Set(ruleSeeds(r))).toEqual(new Set([r.copy!.seed, r.paste!.seed, ...r.context.map((c) => c.seed)]));
  });
});
