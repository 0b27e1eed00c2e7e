/**
 * The result of one rule: a low-rank weight change ΔW = strength · Λ D,
 * applied at every kernel tap, and its composition with a layer's weights.
 */
import { assertShape, type Tensor } from "../linalg/tensor";
import type { LayerWeights } from "./featureSource";

export interface RewriteDelta {
  readonly layer: string;
  /** Context directions, r×I, orthonormal rows. */
  readonly D: Tensor;
  /** Update coefficients, O×r×kh×kw. */
  readonly lambda: Tensor;
  /** Scale applied when composing: ΔW = strength · Λ D. */
  readonly strength: number;
}

/** W1 = W0 + Σ strength·Λ D over the deltas of this layer, as float32 [O,I,kh,kw]. */
export function applyDeltas(
  layer: string,
  weight: Tensor,
  deltas: readonly RewriteDelta[],
): Float32Array {
  assertShape(`weight of ${layer}`, weight, [-1, -1, -1, -1]);
  const [o, i, kh, kw] = weight.shape as [number, number, number, number];
  const taps = kh * kw;
  const out = Float64Array.from(weight.data);
  for (const delta of deltas) {
    if (delta.layer !== layer) continue;
    const r = delta.D.shape[0]!;
    assertShape(`D of a ${layer} delta`, delta.D, [r, i]);
    assertShape(`lambda of a ${layer} delta`, delta.lambda, [o, r, kh, kw]);
    for (let oc = 0; oc < o; oc++) {
      for (let d = 0; d < r; d++) {
        for (let t = 0; t < taps; t++) {
          const coef = delta.strength * delta.lambda.data[(oc * r + d) * taps + t]!;
          if (coef === 0) continue;
          for (let ic = 0; ic < i; ic++) {
            out[(oc * i + ic) * taps + t]! += coef * delta.D.data[d * i + ic]!;
          }
        }
      }
    }
  }
  return Float32Array.from(out);
}

/**
 * Every layer touched by `deltas`, composed onto `originals`; layers no
 * delta touches keep their entry in `originals` (if any).
 */
export function composeWeights(
  originals: (layer: string) => Tensor,
  deltas: readonly RewriteDelta[],
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const layer of new Set(deltas.map((d) => d.layer))) {
    out[layer] = applyDeltas(layer, originals(layer), deltas);
  }
  return out;
}

/** Applies one more delta on top of the current weights (for composing rules in order). */
export function withDelta(
  current: LayerWeights,
  original: (layer: string) => Tensor,
  delta: RewriteDelta,
): LayerWeights {
  const base = original(delta.layer);
  const weight = current[delta.layer] ?? base.data;
  return { ...current, [delta.layer]: applyDeltas(delta.layer, { data: weight, shape: base.shape }, [delta]) };
}
