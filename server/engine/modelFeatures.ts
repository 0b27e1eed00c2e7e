/**
 * The rewrite engine's view of a loaded generator on the server: keys and
 * values of a layer for given seeds and weights, original weights, and the
 * key second moment C of each layer.
 *
 * C comes from the model folder's statistics (`npm run stats`). When they
 * are missing or stale, C is estimated once in memory from the first
 * `fallbackSamples` seeds and a warning is logged: edits still work, with a
 * noisier C than the shipped statistics would give.
 */
import type { Logger } from "pino";
import type { Tensor } from "@/shared/linalg/tensor";
import {
  type FeatureSource,
  type LayerFeatures,
  type LayerShape,
  type LayerWeights,
  SecondMomentCache,
} from "@/shared/rewrite";
import {
  computeKeyStatistics,
  type GeneratorModel,
  type LayerStats,
  ModelError,
  modelFeatureSource,
} from "../model";

export interface ModelFeaturesOptions {
  readonly logger: Logger;
  /** Seeds 0..n−1 estimate C when the model folder has no statistics. */
  readonly fallbackSamples: number;
}

/** server/model's feature source, with C estimated when not shipped. */
export class ModelFeatures implements FeatureSource {
  readonly layers: readonly LayerShape[];
  readonly imageSize: readonly [number, number];
  /** Factors of C per layer, built on first use. */
  readonly moments: SecondMomentCache;
  private readonly shipped: FeatureSource;
  private fallback: Promise<LayerStats[]> | null = null;

  constructor(
    readonly model: GeneratorModel,
    private readonly options: ModelFeaturesOptions,
  ) {
    this.shipped = modelFeatureSource(model);
    this.layers = this.shipped.layers;
    this.imageSize = this.shipped.imageSize;
    this.moments = new SecondMomentCache((layer) => this.secondMoment(layer));
  }

  features(layer: string, seeds: readonly number[], weights: LayerWeights): Promise<LayerFeatures> {
    return this.shipped.features(layer, seeds, weights);
  }

  originalWeight(layer: string): Float32Array {
    return this.shipped.originalWeight(layer);
  }

  async secondMoment(layer: string): Promise<Tensor> {
    try {
      return await this.shipped.secondMoment(layer);
    } catch (error) {
      if (!(error instanceof ModelError) || !error.code.startsWith("stats-")) throw error;
      const channels = this.model.layer(layer).key[0];
      const estimated = (await this.estimate(error.message)).find((s) => s.layer === layer)!;
      return { data: estimated.moment, shape: [channels, channels] };
    }
  }

  private estimate(why: string): Promise<LayerStats[]> {
    if (this.fallback === null) {
      const samples = this.options.fallbackSamples;
      this.options.logger.warn(
        { model: this.model.manifest.name, samples, why },
        "estimating key statistics in memory",
      );
      const seeds = Array.from({ length: samples }, (_, i) => i);
      this.fallback = computeKeyStatistics(this.model, seeds);
      this.fallback.catch(() => (this.fallback = null));
    }
    return this.fallback;
  }
}
