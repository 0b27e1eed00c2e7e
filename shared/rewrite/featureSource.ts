/**
 * What the rewrite engine needs from a generator, implemented over
 * onnxruntime-node on the server (`server/model/`) and onnxruntime-web in the
 * browser. Shapes follow `models/<name>/manifest.json`.
 */
import type { Tensor } from "../linalg/tensor";

/** One rewritable layer: a 3×3, stride-1, zero-padded conv without bias. */
export interface LayerShape {
  readonly name: string;
  /** [O, I, kh, kw] */
  readonly weight: readonly number[];
  /** [I, H, W] */
  readonly key: readonly number[];
  /** [O, H, W] */
  readonly value: readonly number[];
}

/** Current weights by layer name; a missing layer means its original weight. */
export type LayerWeights = Readonly<Record<string, Float32Array>>;

export interface LayerFeatures {
  /** [N, I, H, W], the conv input for each seed. */
  readonly keys: Tensor;
  /** [N, O, H, W], the conv output (before any bias or activation). */
  readonly values: Tensor;
}

export interface FeatureSource {
  readonly layers: readonly LayerShape[];
  /** Image size [height, width] at which masks are drawn. */
  readonly imageSize: readonly [number, number];
  /** Keys and values of `layer` for the given seeds, with `weights` loaded. */
  features(layer: string, seeds: readonly number[], weights: LayerWeights): Promise<LayerFeatures>;
  /** The layer's original (unedited) weight, [O, I, kh, kw]. */
  originalWeight(layer: string): Float32Array;
  /** Uncentred key second moment E[k kᵀ] of the original model, [I, I]. */
  secondMoment(layer: string): Promise<Tensor>;
}

export function findLayer(layers: readonly LayerShape[], name: string): LayerShape | undefined {
  return layers.find((l) => l.name === name);
}
