import { readFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { latentBatch } from "../../shared/latent";

import { GeneratorModel } from "./generatorModel";
import { parseManifest, readManifest } from "./manifest";
import { updateManifestFile } from "./manifestFile";
import { labelsFromLogits, Segmenter, type Segmentation } from "./segmenter";
import type { Tensor } from "./tensor";
import { copyOfShippedModel, SHIPPED_MODEL, silentLogger } from "./testSupport";

const CLASSES = ["sky", "cloud", "grass", "road", "water", "building", "window", "door", "tower", "dome", "spire", "tree"];
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
/** Weights of fixtures/linear_segmenter.onnx, a 1×1 conv (see make_linear_segmenter.py). */
const linear = JSON.parse(readFileSync(join(FIXTURES, "linear_segmenter.json"), "utf8")) as {
  weight: number[];
  bias: number[];
};

let model: GeneratorModel;

beforeAll(async () => {
  model = await GeneratorModel.load(SHIPPED_MODEL, { logger: silentLogger, executionProvider: "cpu" });
});

afterAll(async () => {
  await model.release();
});

function expectConsistentFrequency(segmentation: Segmentation, classes: number): void {
  const counts = new Float64Array(classes);
  segmentation.labels.forEach((label) => counts[label]!++);
  const total = segmentation.labels.length;
  counts.forEach((count, k) => expect(segmentation.frequency[k]).toBeCloseTo(count / total, 12));
  expect(segmentation.frequency.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
}

describe("labelsFromLogits", () => {
  it("picks the highest-scoring class of each pixel, first on ties", () => {
    // N=1, K=3, 1×2 pixels: pixel 0 scores (1, 5, 2), pixel 1 scores (4, 4, 0).
    const logits: Tensor = { data: Float32Array.from([1, 4, 5, 4, 2, 0]), shape: [1, 3, 1, 2] };
    const segmentation = labelsFromLogits(logits);
    expect(Array.from(segmentation.labels)).toEqual([1, 0]);
    expect(segmentation.shape).toEqual([1, 1, 2]);
    expect(Array.from(segmentation.frequency)).toEqual([0.5, 0.5, 0]);
  });
});

describe("Segmenter on a stand-in network (fixtures/linear_segmenter.onnx)", () => {
  let copy: Awaited<ReturnType<typeof copyOfShippedModel>>;
  let segmenter: Segmenter;

  beforeAll(async () => {
    copy = await copyOfShippedModel();
    await copyFile(join(FIXTURES, "linear_segmenter.onnx"), join(copy.directory, "segmenter.onnx"));
    await updateManifestFile(copy.directory, (json) => {
      json.segmenter = { file: "segmenter.onnx", classes: CLASSES };
    });
    const manifest = await readManifest(copy.directory);
    segmenter = await Segmenter.load(copy.directory, manifest, { logger: silentLogger, executionProvider: "cpu" });
  });

  afterAll(async () => {
    await segmenter.release();
    await copy.remove();
  });

  it("labels each pixel with the argmax of the network's logits", async () => {
    const seeds = [0, 1, 2, 3];
    const segmentation = await segmenter.segmentSeeds(model, seeds, { batchSize: 3 });
    const { image } = await model.run(latentBatch(seeds, model.manifest.zDim));
    const plane = 64 * 64;
    expect(segmentation.shape).toEqual([4, 64, 64]);
    for (let n = 0; n < seeds.length; n++) {
      for (let p = 0; p < plane; p++) {
        const rgb = [0, 1, 2].map((c) => image.data[(n * 3 + c) * plane + p]!);
        const scores = linear.bias.map((b, k) => b + rgb.reduce((s, v, c) => s + linear.weight[k * 3 + c]! * v, 0));
        const label = segmentation.labels[n * plane + p]!;
        const best = Math.max(...scores);
        // float32 inference may break a near-tie the other way
        expect(best - scores[label]!).toBeLessThan(1e-4);
      }
    }
    expectConsistentFrequency(segmentation, CLASSES.length);
  });

  it("gives the same result whatever the batch size", async () => {
    const seeds = [5, 6, 7, 8, 9, 10, 11];
    const inOne = await segmenter.segmentSeeds(model, seeds, { batchSize: 7 });
    const inThrees = await segmenter.segmentSeeds(model, seeds, { batchSize: 3 });
    expect(inThrees.labels).toEqual(inOne.labels);
    inOne.frequency.forEach((f, k) => expect(inThrees.frequency[k]).toBeCloseTo(f, 12));
  });

  it("refuses to load when the manifest lists no segmenter", async () => {
    const manifest = { ...(await readManifest(copy.directory)), segmenter: undefined };
    await expect(
      Segmenter.load(copy.directory, manifest, { logger: silentLogger, executionProvider: "cpu" }),
    ).rejects.toMatchObject({ code: "segmenter-missing" });
  });
});

const shipped = parseManifest(readFileSync(join(SHIPPED_MODEL, "manifest.json"), "utf8"), "shipped manifest");

describe.skipIf(!shipped.segmenter)("the shipped segmenter (skipped while manifest.segmenter is absent)", () => {
  it("labels generated scenes with its classes, consistently with its logits", async () => {
    const segmenter = await Segmenter.load(SHIPPED_MODEL, shipped, { logger: silentLogger, executionProvider: "cpu" });
    try {
      const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
      const segmentation = await segmenter.segmentSeeds(model, seeds, { batchSize: 4 });
      const { resolution } = shipped;
      expect(segmentation.shape).toEqual([8, resolution, resolution]);
      expect(segmentation.labels.every((label) => label < segmenter.classes.length)).toBe(true);
      expectConsistentFrequency(segmentation, segmenter.classes.length);
      expect(segmentation.frequency.filter((f) => f > 0).length).toBeGreaterThan(1);

      const { image } = await model.run(latentBatch(seeds.slice(0, 4), shipped.zDim));
      const direct = labelsFromLogits(await segmenter.logits(image));
      expect(direct.labels).toEqual(segmentation.labels.subarray(0, 4 * resolution * resolution));
    } finally {
      await segmenter.release();
    }
  });
});
