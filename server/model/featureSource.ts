import { latentBatch } from "../../shared/latent";
import type { Tensor as FloatTensor } from "../../shared/linalg/tensor";
import type { FeatureSource, LayerFeatures, LayerWeights } from "../../shared/rewrite/featureSource";

import type { GeneratorModel } from "./generatorModel";
import { readLayerStats } from "./layerStats";
import { readManifest } from "./manifest";
import type { Tensor } from "./tensor";

/** Latents per generator run when many seeds are asked for at once. */
const BATCH = 32;

/**
 * The rewrite engine's view of the shipped model: keys and values of one
 * layer for some seeds, the trained weights, and the cached key second
 * moments (`npm run stats`), each read once and then kept.
 */
export function modelFeatureSource(model: GeneratorModel): FeatureSource {
  const moments = new Map<string, Promise<FloatTensor>>();
  const { resolution } = model.manifest;

  return {
    layers: model.layers,
    imageSize: [resolution, resolution],
    originalWeight: (layer) => model.originalWeight(layer),

    async features(layer, seeds, weights) {
      model.layer(layer);
      return layerFeatures(model, layer, seeds, weights);
    },

    async secondMoment(layer) {
      const spec = model.layer(layer);
      let moment = moments.get(spec.name);
      if (!moment) {
        moment = readSecondMoment(model, spec.name);
        moments.set(spec.name, moment);
        moment.catch(() => moments.delete(spec.name));
      }
      return moment;
    },
  };
}

async function layerFeatures(
  model: GeneratorModel,
  layer: string,
  seeds: readonly number[],
  weights: LayerWeights,
): Promise<LayerFeatures> {
  if (seeds.length === 0) throw new RangeError("no seeds to take features from");
  const keys: Tensor[] = [];
  const values: Tensor[] = [];
  for (let start = 0; start < seeds.length; start += BATCH) {
    const batch = seeds.slice(start, start + BATCH);
    const output = await model.layerOutput(layer, latentBatch(batch, model.manifest.zDim), weights);
    keys.push(output.key);
    values.push(output.value);
  }
  return { keys: concatenate(keys), values: concatenate(values) };
}

/** Reads the manifest afresh: the statistics may postdate the model load. */
async function readSecondMoment(model: GeneratorModel, layer: string): Promise<FloatTensor> {
  const manifest = await readManifest(model.directory);
  const spec = manifest.layers.find((l) => l.name === layer)!;
  const stats = await readLayerStats(model.directory, manifest, spec);
  return { data: stats.moment, shape: [stats.channels, stats.channels] };
}

function concatenate(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0]!;
  const [, ...rest] = parts[0]!.shape;
  const count = parts.reduce((total, part) => total + part.shape[0]!, 0);
  const data = new Float32Array(parts.reduce((total, part) => total + part.data.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { data, shape: [count, ...rest] };
}
