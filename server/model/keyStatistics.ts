import { formatSeedList, latentBatch } from "../../shared/latent";

import type { GeneratorModel } from "./generatorModel";
import type { LayerStats } from "./layerStats";
import { SecondMomentAccumulator } from "./secondMoment";

export interface KeyStatisticsOptions {
  /** Latents per generator run. */
  readonly batchSize?: number;
  /** Layers to measure; all rewritable layers by default. */
  readonly layers?: readonly string[];
  /** Called after each batch with the images done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

const DEFAULT_BATCH = 32;

/**
 * The key second moment C = E[k kᵀ] of each layer over the images of
 * `seeds` with the trained weights (ALGORITHM.md §1.2): every spatial
 * location of every image counts once, sums are float64. One generator pass
 * serves all layers.
 */
export async function computeKeyStatistics(
  model: GeneratorModel,
  seeds: readonly number[],
  options: KeyStatisticsOptions = {},
): Promise<LayerStats[]> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
  if (seeds.length === 0) throw new RangeError("no seeds to measure");
  const layers = (options.layers ?? model.layers.map((l) => l.name)).map(
    (name) => model.layer(name),
  );
  const sums = layers.map((l) => new SecondMomentAccumulator(l.key[0]));

  for (let start = 0; start < seeds.length; start += batchSize) {
    const batch = seeds.slice(start, start + batchSize);
    const { keys } = await model.run(latentBatch(batch, model.manifest.zDim));
    layers.forEach((layer, i) => sums[i]!.add(keys[layer.name]!));
    options.onProgress?.(start + batch.length, seeds.length);
  }
  const seedText = formatSeedList(seeds);
  return layers.map((layer, i) => ({
    layer: layer.name,
    channels: layer.key[0],
    moment: sums[i]!.moment(),
    samples: seeds.length,
    seeds: seedText,
  }));
}
