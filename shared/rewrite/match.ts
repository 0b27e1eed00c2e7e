/**
 * Context matching (ALGORITHM.md §5.2, Search and Show Context Matches):
 * how strongly each location of an image excites a context direction,
 * a threshold for "matches", and a ranking of many seeds.
 */
import { assertShape, sliceFirst, type Tensor } from "../linalg/tensor";
import type { FeatureSource, LayerWeights } from "./featureSource";

/** The 99.9th percentile the original uses to outline matches. */
export const MATCH_QUANTILE = 0.999;

/** key·d at every location of a key map [I,H,W] → H·W scores. */
export function matchScores(keys: Tensor, direction: ArrayLike<number>): Float64Array {
  assertShape("match keys", keys, [direction.length, -1, -1]);
  const [i, h, w] = keys.shape as [number, number, number];
  const hw = h * w;
  const out = new Float64Array(hw);
  for (let c = 0; c < i; c++) {
    const coef = direction[c]!;
    if (coef === 0) continue;
    for (let p = 0; p < hw; p++) out[p]! += coef * keys.data[c * hw + p]!;
  }
  return out;
}

/** The q-quantile (linear interpolation) of all scores given; NaN when none. */
export function scoreQuantile(scores: readonly Float64Array[], q = MATCH_QUANTILE): number {
  const total = scores.reduce((s, a) => s + a.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const s of scores) {
    all.set(s, at);
    at += s.length;
  }
  all.sort();
  if (total === 0) return NaN;
  const pos = q * (total - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, total - 1);
  return all[lo]! + (pos - lo) * (all[hi]! - all[lo]!);
}

export interface SeedMatch {
  readonly seed: number;
  /** Highest key·d over the image's locations. */
  readonly score: number;
  /** Per-location scores, H·W. */
  readonly scores: Float64Array;
}

export interface MatchOptions {
  readonly weights?: LayerWeights;
  /** Seeds per forward batch. */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Scores every seed by its best location, highest first (ties by seed). */
export async function rankSeeds(
  source: FeatureSource,
  layer: string,
  seeds: readonly number[],
  direction: ArrayLike<number>,
  { weights = {}, batchSize = 32, onProgress }: MatchOptions = {},
): Promise<SeedMatch[]> {
  const matches: SeedMatch[] = [];
  for (let start = 0; start < seeds.length; start += batchSize) {
    const batch = seeds.slice(start, start + batchSize);
    const { keys } = await source.features(layer, batch, weights);
    batch.forEach((seed, b) => {
      const scores = matchScores(sliceFirst(keys, b), direction);
      matches.push({ seed, score: Math.max(...scores), scores });
    });
    onProgress?.(Math.min(start + batchSize, seeds.length), seeds.length);
  }
  return matches.sort((a, b) => b.score - a.score || a.seed - b.seed);
}
