/**
 * Context directions D (ALGORITHM.md §1.4, the 'zca' method): the rank-r row
 * space that the weighted context keys excite strongly and typical keys
 * weakly, i.e. the top generalised eigenvectors of Σ wᵢ² kᵢkᵢᵀ against C.
 */
import { orthonormalColumns } from "../linalg/qr";
import { assertShape, type Tensor } from "../linalg/tensor";
import { topRightSingularVectors } from "../linalg/topSingular";
import { RewriteError } from "./errors";
import type { SecondMomentFactor } from "./secondMoment";

/** Keys at the locations where a context mask is positive, with their weights. */
export interface WeightedKeys {
  /** n×I row-major. */
  readonly keys: Float64Array;
  /** n mask weights in (0, 1]. */
  readonly weights: Float64Array;
  readonly count: number;
  readonly channels: number;
}

/** The keys of one key map [I, H, W] where `cellWeights` (H·W) is positive. */
export function gatherWeightedKeys(keyMap: Tensor, cellWeights: ArrayLike<number>): WeightedKeys {
  assertShape("context key map", keyMap, [-1, -1, -1]);
  const [i, h, w] = keyMap.shape as [number, number, number];
  const hw = h * w;
  assertShape("context cell weights", { data: cellWeights as Float64Array, shape: [cellWeights.length] }, [hw]);
  const cells: number[] = [];
  for (let p = 0; p < hw; p++) if (cellWeights[p]! > 0) cells.push(p);
  const keys = new Float64Array(cells.length * i);
  cells.forEach((p, row) => {
    for (let c = 0; c < i; c++) keys[row * i + c] = keyMap.data[c * hw + p]!;
  });
  const weights = Float64Array.from(cells, (p) => cellWeights[p]!);
  return { keys, weights, count: cells.length, channels: i };
}

/** Concatenates weighted keys from several images. */
export function concatWeightedKeys(parts: readonly WeightedKeys[]): WeightedKeys {
  const channels = parts[0]?.channels ?? 0;
  const count = parts.reduce((s, p) => s + p.count, 0);
  const keys = new Float64Array(count * channels);
  const weights = new Float64Array(count);
  let row = 0;
  for (const part of parts) {
    keys.set(part.keys, row * channels);
    weights.set(part.weights, row);
    row += part.count;
  }
  return { keys, weights, count, channels };
}

/**
 * The same context with rows of identical keys merged into one row of
 * weight √(Σ wᵢ²): the rows wᵢ Z kᵢ have the same Gram matrix Σ wᵢ² Z k kᵀ Z,
 * so the same right singular vectors. Upsampling layers repeat every key
 * over a 2×2 block, so this whitens about a quarter of the rows.
 */
export function mergeRepeatedKeys(context: WeightedKeys): WeightedKeys {
  const { keys, weights, count, channels: m } = context;
  /** Indices into `kept` by a hash of the row; the exact compare settles collisions. */
  const keptByHash = new Map<number, number[]>();
  const kept: number[] = [];
  const squaredWeights: number[] = [];
  const same = (a: number, b: number) => {
    for (let c = 0; c < m; c++) if (keys[a * m + c] !== keys[b * m + c]) return false;
    return true;
  };
  for (let row = 0; row < count; row++) {
    let hash = 0;
    for (let c = 0; c < m; c++) hash += (c + 1) * keys[row * m + c]!;
    const candidates = keptByHash.get(hash) ?? [];
    const match = candidates.find((k) => same(kept[k]!, row));
    if (match === undefined) {
      candidates.push(kept.length);
      keptByHash.set(hash, candidates);
      kept.push(row);
      squaredWeights.push(weights[row]! ** 2);
    } else {
      squaredWeights[match]! += weights[row]! ** 2;
    }
  }
  if (kept.length === count) return context;
  const merged = new Float64Array(kept.length * m);
  kept.forEach((row, k) => merged.set(keys.subarray(row * m, (row + 1) * m), k * m));
  return { keys: merged, weights: Float64Array.from(squaredWeights, Math.sqrt), count: kept.length, channels: m };
}

/**
 * D (r×I, orthonormal rows): top-r right singular vectors v of the rows
 * wᵢ Z kᵢ (repeated keys merged), mapped back as Z v, orthonormalised,
 * each row signed so that Σᵢ wᵢ D_jᵀ kᵢ ≥ 0 [ours: the original compares
 * with whitened keys]. Throws `context-too-small` when the context spans
 * fewer than r directions.
 */
export function contextDirections(
  context: WeightedKeys,
  factor: SecondMomentFactor,
  rank: number,
): Tensor<Float64Array> {
  const { count: n, channels: m } = context;
  if (m !== factor.size) {
    throw new RewriteError("invalid-input", `context keys have ${m} channels, C has ${factor.size}`);
  }
  const distinct = mergeRepeatedKeys(context);
  const whitened = factor.whitenRows(distinct.keys, distinct.count, distinct.weights);
  const top = topRightSingularVectors(whitened, distinct.count, m, rank);
  if (top.count < rank) {
    throw new RewriteError(
      "context-too-small",
      `the context spans ${top.count} direction(s) (${n} location(s)); rank ${rank} needs more context`,
    );
  }

  const back = new Float64Array(m * rank);
  for (let j = 0; j < rank; j++) {
    const zv = factor.whiten(top.vectors.subarray(j * m, (j + 1) * m));
    for (let c = 0; c < m; c++) back[c * rank + j] = zv[c]!;
  }
  const q = orthonormalColumns(back, m, rank);
  const weightedSum = weightedKeySum(context);
  const d = new Float64Array(rank * m);
  for (let j = 0; j < rank; j++) {
    let along = 0;
    for (let c = 0; c < m; c++) along += q[c * rank + j]! * weightedSum[c]!;
    const sign = along < 0 ? -1 : 1;
    for (let c = 0; c < m; c++) d[j * m + c] = sign * q[c * rank + j]!;
  }
  return { data: d, shape: [rank, m] };
}

function weightedKeySum(context: WeightedKeys): Float64Array {
  const { count, channels } = context;
  const sum = new Float64Array(channels);
  for (let row = 0; row < count; row++) {
    const w = context.weights[row]!;
    for (let c = 0; c < channels; c++) sum[c]! += w * context.keys[row * channels + c]!;
  }
  return sum;
}
