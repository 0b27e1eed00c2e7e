/**
 * Scene parts in segmenter labels, and images with their labels for a list
 * of seeds under given weights; used by `demo-rules` and by eval/.
 */
import type { GeneratorModel, Segmenter, Tensor } from "../../../server/model";
import { latentBatch } from "../../../shared/latent";
import type { BinaryMask, LayerWeights } from "../../../shared/rewrite";
import { CommandFailure } from "../command";
import { classMask, roofMask, type Labels } from "./sceneMasks";

/** A segmenter class, or "roof": building pixels with sky or cloud just above. */
export type Part = "sky" | "cloud" | "tree" | "dome" | "spire" | "window" | "door" | "tower" | "roof";

const BATCH = 32;

export class SceneParts {
  constructor(readonly classes: readonly string[]) {}

  index(name: string): number {
    const k = this.classes.indexOf(name);
    if (k < 0) throw new CommandFailure(`the segmenter has no class "${name}" (has ${this.classes.join(", ")})`);
    return k;
  }

  /** Pixels of `part` in one image's labels. */
  mask(labels: Labels, part: Part): BinaryMask {
    if (part === "roof") return roofMask(labels, this.index("building"), [this.index("sky"), this.index("cloud")]);
    return classMask(labels, this.index(part));
  }

  /** The class a pixel of `part` carries. */
  classOf(part: Part): number {
    return this.index(part === "roof" ? "building" : part);
  }
}

/** Images [N,3,R,R] and per-image labels. */
export interface Segmented {
  readonly images: Tensor;
  readonly labels: Labels[];
}

/** Generates the images of `seeds` under `weights` and segments them. */
export async function segmentSeeds(
  model: GeneratorModel,
  segmenter: Segmenter,
  seeds: readonly number[],
  weights: LayerWeights,
): Promise<Segmented> {
  const { zDim, resolution: r } = model.manifest;
  const images = new Float32Array(seeds.length * 3 * r * r);
  for (let start = 0; start < seeds.length; start += BATCH) {
    const batch = seeds.slice(start, start + BATCH);
    const { image } = await model.run(latentBatch(batch, zDim), weights);
    images.set(image.data, start * 3 * r * r);
  }
  return segmentImages(segmenter, { data: images, shape: [seeds.length, 3, r, r] });
}

/** Labels of given images [N,3,R,R] (e.g. from torch). */
export async function segmentImages(segmenter: Segmenter, images: Tensor): Promise<Segmented> {
  const [n = 0, , r = 0] = images.shape;
  const plane = 3 * r * r;
  const labels: Labels[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const slice = images.data.subarray(start * plane, (start + count) * plane);
    const seg = await segmenter.segment({ data: slice, shape: [count, 3, r, r] });
    for (let b = 0; b < count; b++) {
      labels.push({ width: r, height: r, data: seg.labels.slice(b * r * r, (b + 1) * r * r) });
    }
  }
  return { images, labels };
}
