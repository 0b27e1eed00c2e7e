import { join } from "node:path";

import { Tensor as OrtTensor, type InferenceSession } from "onnxruntime-node";
import type { Logger } from "pino";

import { latentBatch } from "../../shared/latent";

import { ModelError } from "./errors";
import {
  executionProviderFromEnv,
  openSession,
  type ExecutionProviderChoice,
} from "./executionProvider";
import type { GeneratorModel, LayerWeights } from "./generatorModel";
import type { Manifest } from "./manifest";
import { ShapeError, type Tensor } from "./tensor";

/** Per-pixel classes of an image batch. */
export interface Segmentation {
  /** [N, H, W] class indices into `classes`. */
  readonly labels: Uint8Array;
  readonly shape: readonly [number, number, number];
  /** Fraction of all N·H·W pixels given each class; sums to 1. */
  readonly frequency: Float64Array;
}

/**
 * The scene segmenter shipped as `segmenter.onnx`: image [N, 3, R, R] in
 * [-1, 1] → logits [N, classes, R, R]. Used to measure what an edit changed
 * (e.g. how many "dome" pixels became "spire").
 */
export class Segmenter {
  private constructor(
    readonly classes: readonly string[],
    private readonly session: InferenceSession,
  ) {}

  /**
   * Loads the segmenter listed in `manifest.segmenter`; the provider defaults
   * to REWRITE_EXECUTION_PROVIDER, else `auto`.
   */
  static async load(
    directory: string,
    manifest: Manifest,
    options: { logger: Logger; executionProvider?: ExecutionProviderChoice },
  ): Promise<Segmenter> {
    if (!manifest.segmenter) {
      throw new ModelError(
        "segmenter-missing",
        `the manifest of ${manifest.name} lists no segmenter`,
      );
    }
    const { session } = await openSession(
      join(directory, manifest.segmenter.file),
      {
        choice: options.executionProvider ?? executionProviderFromEnv(process.env),
        logger: options.logger.child({ component: "segmenter" }),
      },
    );
    return new Segmenter(manifest.segmenter.classes, session);
  }

  /** Raw class scores of an image batch: [N, classes, H, W]. */
  async logits(images: Tensor): Promise<Tensor> {
    const [count = 0, channels, height = 0, width = 0] = images.shape;
    if (channels !== 3 || images.data.length !== count * 3 * height * width) {
      throw new ShapeError("images", ["N", 3, height, width], images.shape);
    }
    const feeds = {
      [this.session.inputNames[0]!]: new OrtTensor("float32", images.data, images.shape),
    };
    const result = await this.session.run(feeds);
    const logits = result[this.session.outputNames[0]!]!;
    const shape = logits.dims;
    if (shape[1] !== this.classes.length) {
      throw new ShapeError("segmenter logits", [count, this.classes.length, height, width], shape);
    }
    return { data: logits.data as Float32Array, shape };
  }

  /** The most likely class of every pixel, and how often each class occurs. */
  async segment(images: Tensor): Promise<Segmentation> {
    return labelsFromLogits(await this.logits(images));
  }

  /**
   * Segments the images of `seeds` generated with `weights`, in batches,
   * and returns all labels and the class frequency over the whole set.
   */
  async segmentSeeds(
    model: GeneratorModel,
    seeds: readonly number[],
    { weights = {}, batchSize = 32 }: { weights?: LayerWeights; batchSize?: number } = {},
  ): Promise<Segmentation> {
    const parts: Segmentation[] = [];
    for (let start = 0; start < seeds.length; start += batchSize) {
      const batch = seeds.slice(start, start + batchSize);
      const { image } = await model.run(latentBatch(batch, model.manifest.zDim), weights);
      parts.push(await this.segment(image));
    }
    return concatenate(parts, this.classes.length);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Per-pixel argmax over the class axis of logits [N, K, H, W]. */
export function labelsFromLogits(logits: Tensor): Segmentation {
  const [count = 0, classes = 0, height = 0, width = 0] = logits.shape;
  const plane = height * width;
  const labels = new Uint8Array(count * plane);
  const counts = new Float64Array(classes);
  for (let n = 0; n < count; n++) {
    const base = n * classes * plane;
    for (let p = 0; p < plane; p++) {
      let best = 0;
      for (let k = 1; k < classes; k++) {
        if (logits.data[base + k * plane + p]! > logits.data[base + best * plane + p]!) best = k;
      }
      labels[n * plane + p] = best;
      counts[best]! += 1;
    }
  }
  const total = count * plane;
  return {
    labels,
    shape: [count, height, width],
    frequency: counts.map((c) => c / total),
  };
}

function concatenate(parts: readonly Segmentation[], classes: number): Segmentation {
  const [, height = 0, width = 0] = parts[0]?.shape ?? [];
  const count = parts.reduce((total, part) => total + part.shape[0], 0);
  const labels = new Uint8Array(count * height * width);
  const frequency = new Float64Array(classes);
  let offset = 0;
  for (const part of parts) {
    labels.set(part.labels, offset);
    offset += part.labels.length;
    part.frequency.forEach((f, k) => {
      frequency[k]! += (f * part.shape[0]) / count;
    });
  }
  return { labels, shape: [count, height, width], frequency };
}
