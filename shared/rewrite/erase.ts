/**
 * Erase rules (ALGORITHM.md §2.6): find the key channels that carry the
 * context pattern, and make the goal the layer output with those channels
 * switched off everywhere in the image.
 */
import { conv2dSame } from "../linalg/conv";
import type { Tensor } from "../linalg/tensor";
import type { WeightedKeys } from "./contextDirections";

/** score_c = (Σᵢ wᵢ k_ic² / E[k_c²]) / Σᵢ wᵢ over the context locations. */
export function eraseChannelScores(context: WeightedKeys, meanSquare: Float64Array): Float64Array {
  const { count, channels } = context;
  const scores = new Float64Array(channels);
  let total = 0;
  for (let row = 0; row < count; row++) {
    const w = context.weights[row]!;
    total += w;
    for (let c = 0; c < channels; c++) scores[c]! += w * context.keys[row * channels + c]! ** 2;
  }
  for (let c = 0; c < channels; c++) {
    const ms = meanSquare[c]!;
    scores[c] = ms > 0 && total > 0 ? scores[c]! / ms / total : 0;
  }
  return scores;
}

/** Indices of the `count` highest scores, highest first (ties: lower index first). */
export function topChannels(scores: Float64Array, count: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, count);
}

/**
 * conv(keys with `channels` zeroed; W) for one image, computed as
 * values − conv(keys restricted to `channels`; W), which costs only the
 * dropped channels. `values` must be conv(keys; W). Returns O×H×W.
 */
export function erasedValues(
  keys: Tensor,
  values: Tensor,
  weight: Tensor,
  channels: readonly number[],
): Float64Array {
  const dropped = conv2dSame(keys, weight, { channels });
  const out = Float64Array.from(values.data);
  for (let i = 0; i < out.length; i++) out[i]! -= dropped.data[i]!;
  return out;
}
