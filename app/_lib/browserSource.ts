import type { Tensor } from "@/shared/linalg/tensor";
import {
  SecondMomentAccumulator,
  SecondMomentCache,
  type FeatureSource,
  type LayerFeatures,
  type LayerShape,
  type LayerWeights,
} from "@/shared/rewrite";
import { modelFileUrl } from "./manifest";
import type { GeneratorPreview } from "./preview";

/**
 * The rewrite engine's FeatureSource in the browser, over the preview
 * generator (onnxruntime-web). The key second moment C of a layer comes from
 * the model's statistics file when the manifest lists one (`npm run stats`);
 * otherwise it is estimated once from seeds 0..n−1, as the server does
 * (server/engine/modelFeatures.ts), which takes some seconds.
 */

/** Seeds the fallback estimate of C averages over (the server's default). */
export const FALLBACK_SAMPLES = 256;
/** Seeds per forward batch while estimating C. */
const STATS_BATCH = 8;

export class BrowserFeatureSource implements FeatureSource {
  readonly layers: readonly LayerShape[];
  readonly imageSize: readonly [number, number];
  /** Factors of C per layer, built on first use and kept for the page. */
  readonly moments: SecondMomentCache;
  private estimate: Promise<Record<string, Tensor<Float64Array>>> | null = null;

  constructor(
    private readonly generator: GeneratorPreview,
    private readonly onStatsProgress: (done: number, total: number) => void = () => undefined,
  ) {
    const { manifest } = generator;
    this.layers = manifest.layers.map(({ name, weight, key, value }) => ({ name, weight, key, value }));
    this.imageSize = [manifest.resolution, manifest.resolution];
    this.moments = new SecondMomentCache((layer) => this.secondMoment(layer));
  }

  async features(layer: string, seeds: readonly number[], weights: LayerWeights): Promise<LayerFeatures> {
    const maps = (await this.generator.features(seeds, [layer], weights))[layer]!;
    return { keys: maps.keys, values: maps.values };
  }

  originalWeight(layer: string): Float32Array {
    return this.generator.originalWeight(layer);
  }

  async secondMoment(layer: string): Promise<Tensor> {
    const shape = this.layers.find((l) => l.name === layer);
    if (!shape) throw new RangeError(`model has no layer "${layer}"`);
    const channels = shape.key[0]!;
    const stats = this.generator.manifest.stats?.[layer];
    if (stats) {
      const response = await fetch(modelFileUrl(this.generator.manifest.name, stats.file));
      if (response.ok) {
        const data = new Float64Array(await response.arrayBuffer());
        if (data.length === channels * channels) return { data, shape: [channels, channels] };
      }
    }
    this.estimate ??= this.estimateAll();
    return (await this.estimate)[layer]!;
  }

  /** C of every layer from seeds 0..FALLBACK_SAMPLES−1 in one pass. */
  private async estimateAll(): Promise<Record<string, Tensor<Float64Array>>> {
    const names = this.layers.map((l) => l.name);
    const sums = new Map(this.layers.map((l) => [l.name, new SecondMomentAccumulator(l.key[0]!)]));
    for (let start = 0; start < FALLBACK_SAMPLES; start += STATS_BATCH) {
      const seeds = Array.from({ length: Math.min(STATS_BATCH, FALLBACK_SAMPLES - start) }, (_, i) => start + i);
      const maps = await this.generator.features(seeds, names);
      for (const name of names) sums.get(name)!.add(maps[name]!.keys);
      this.onStatsProgress(start + seeds.length, FALLBACK_SAMPLES);
    }
    return Object.fromEntries(names.map((name) => [name, sums.get(name)!.result()]));
  }
}
