/**
 * The shipped generator draws the scene parts it was trained on, in about
 * the same proportions: the segmenter labels 1,000 generated samples
 * (seeds 0-999), and each class's pixel share must be close to its share
 * in the training data (manifest.segmenter.trainingClassFrequency).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GeneratorModel, Segmenter, type Segmentation } from "@/server/model";
import { parseManifest } from "@/server/model/manifest";
import { SHIPPED_MODEL, silentLogger } from "@/server/model/testSupport";

const SAMPLES = 1000;
/** Largest allowed |generated − training| share of any single class. */
const PER_CLASS_TOLERANCE = 0.03;
/** Largest allowed Σ |generated − training| over all classes. */
const TOTAL_TOLERANCE = 0.12;
/** Parts a user must be able to find in a sample: at least this share. */
const NAMED_PARTS = ["tower", "dome", "spire", "tree", "window", "building"];
const MIN_SHARE_OF_TRAINING = 0.4;

const manifest = parseManifest(
  readFileSync(join(SHIPPED_MODEL, "manifest.json"), "utf8"),
  "shipped manifest",
);

describe("the shipped generator's samples, labelled by the segmenter", () => {
  let model: GeneratorModel;
  let segmenter: Segmenter;
  let segmentation: Segmentation;
  let training: Record<string, number>;

  beforeAll(async () => {
    model = await GeneratorModel.load(SHIPPED_MODEL, { logger: silentLogger });
    segmenter = await Segmenter.load(SHIPPED_MODEL, manifest, { logger: silentLogger });
    const seeds = Array.from({ length: SAMPLES }, (_, i) => i);
    segmentation = await segmenter.segmentSeeds(model, seeds, { batchSize: 50 });
    training = manifest.segmenter?.trainingClassFrequency ?? {};
  });

  afterAll(async () => {
    await segmenter?.release();
    await model?.release();
  });

  it("draws every class within the per-class tolerance of the training data", () => {
    segmenter.classes.forEach((name, index) => {
      const drawn = segmentation.frequency[index]!;
      expect(Math.abs(drawn - training[name]!), name).toBeLessThanOrEqual(PER_CLASS_TOLERANCE);
    });
  });

  it("keeps the total difference of class shares within tolerance", () => {
    const total = segmenter.classes.reduce(
      (sum, name, index) => sum + Math.abs(segmentation.frequency[index]! - training[name]!),
      0,
    );
    expect(total).toBeLessThanOrEqual(TOTAL_TOLERANCE);
  });

  it("draws towers, domes, spires, trees, windows and buildings often enough to edit", () => {
    for (const name of NAMED_PARTS) {
      const index = segmenter.classes.indexOf(name);
      expect(index, name).toBeGreaterThanOrEqual(0);
      expect(segmentation.frequency[index]!, name).toBeGreaterThanOrEqual(
        MIN_SHARE_OF_TRAINING * training[name]!,
      );
    }
  });
});
