import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { latentBatch } from "../../shared/latent";

import { GeneratorModel } from "./generatorModel";
import { computeKeyStatistics } from "./keyStatistics";
import { readLayerStats, statsFileName, writeLayerStats, type LayerStats } from "./layerStats";
import { parseManifest, readManifest } from "./manifest";
import { copyOfShippedModel, SHIPPED_MODEL, silentLogger } from "./testSupport";

const SEEDS = Array.from({ length: 20 }, (_, i) => i);
const BATCH = 10;

let model: GeneratorModel;

beforeAll(async () => {
  model = await GeneratorModel.load(SHIPPED_MODEL, { logger: silentLogger, executionProvider: "cpu" });
});

afterAll(async () => {
  await model.release();
});

/** E[k kᵀ] by the definition: a plain float64 loop over every key vector. */
async function naiveMoment(layer: string): Promise<Float64Array> {
  const [I, H, W] = model.layer(layer).key;
  const L = H * W;
  const sum = new Float64Array(I * I);
  for (let start = 0; start < SEEDS.length; start += BATCH) {
    const seeds = SEEDS.slice(start, start + BATCH);
    const { data } = (await model.run(latentBatch(seeds, model.manifest.zDim))).keys[layer]!;
    for (let n = 0; n < seeds.length; n++) {
      const sample = data.subarray(n * I * L, (n + 1) * I * L);
      for (let i = 0; i < I; i++) {
        for (let j = 0; j < I; j++) {
          let dot = 0;
          for (let l = 0; l < L; l++) dot += sample[i * L + l]! * sample[j * L + l]!;
          sum[i * I + j]! += dot;
        }
      }
    }
  }
  return sum.map((s) => s / (SEEDS.length * L));
}

function expectSymmetricWithNonNegativeDiagonal(C: Float64Array, I: number): void {
  expect(C.length).toBe(I * I);
  for (let i = 0; i < I; i++) {
    expect(C[i * I + i]).toBeGreaterThanOrEqual(0);
    for (let j = i + 1; j < I; j++) expect(C[i * I + j]).toBe(C[j * I + i]);
  }
}

describe("computeKeyStatistics", () => {
  let stats: LayerStats[];
  let progress: [number, number][];

  beforeAll(async () => {
    progress = [];
    stats = await computeKeyStatistics(model, SEEDS, {
      batchSize: BATCH,
      onProgress: (done, total) => progress.push([done, total]),
    });
  });

  it("equals a plain float64 loop over every key of 20 seeds, to 1e-9 relative", async () => {
    for (const s of stats) {
      const expected = await naiveMoment(s.layer);
      let scale = 0;
      let worst = 0;
      expected.forEach((value, k) => {
        scale = Math.max(scale, Math.abs(value));
        worst = Math.max(worst, Math.abs(s.moment[k]! - value));
      });
      expect(worst / scale, s.layer).toBeLessThan(1e-9);
    }
  });

  it("covers every layer, symmetric, with the seeds it used", () => {
    expect(stats.map((s) => s.layer)).toEqual(model.layers.map((l) => l.name));
    for (const s of stats) {
      expectSymmetricWithNonNegativeDiagonal(s.moment, s.channels);
      expect(s).toMatchObject({ samples: 20, seeds: "0-19", channels: model.layer(s.layer).key[0] });
    }
  });

  it("reports progress after every batch", () => {
    expect(progress).toEqual([[10, 20], [20, 20]]);
  });

  it("refuses an empty seed list and a bad batch size", async () => {
    await expect(computeKeyStatistics(model, [])).rejects.toThrow(/no seeds/);
    await expect(computeKeyStatistics(model, [0], { batchSize: 0 })).rejects.toThrow(/batch size/);
  });
});

describe("stats files", () => {
  it("round-trip through the model folder and keep every other manifest key", async () => {
    const copy = await copyOfShippedModel();
    try {
      const manifestPath = join(copy.directory, "manifest.json");
      const raw = JSON.parse(await readFile(manifestPath, "utf8")) as Record<string, unknown>;
      raw["x-lead-note"] = { kept: true };
      delete raw.stats;
      await writeFile(manifestPath, JSON.stringify(raw, null, 2));

      const manifest = await readManifest(copy.directory);
      const [conv8] = await computeKeyStatistics(model, [0, 1, 2], { layers: ["conv8"] });
      await writeLayerStats(copy.directory, manifest, [conv8!]);

      const text = await readFile(manifestPath, "utf8");
      const after = JSON.parse(text) as Record<string, unknown>;
      expect([...text].every((char) => char.charCodeAt(0) < 128)).toBe(true);
      expect({ ...after, stats: undefined }).toEqual({ ...raw, stats: undefined });
      expect(after.stats).toEqual({
        conv8: { file: statsFileName("conv8"), samples: 3, seeds: "0-2", modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });

      const reread = await readManifest(copy.directory);
      const loaded = await readLayerStats(copy.directory, reread, reread.layers[0]!);
      expect(loaded.moment).toEqual(conv8!.moment);
      await expect(readLayerStats(copy.directory, reread, reread.layers[1]!)).rejects.toMatchObject({ code: "stats-missing" });
    } finally {
      await copy.remove();
    }
  });

  it("are refused as stale once the model files change", async () => {
    const copy = await copyOfShippedModel();
    try {
      const manifest = await readManifest(copy.directory);
      const [conv16] = await computeKeyStatistics(model, [0], { layers: ["conv16"] });
      await writeLayerStats(copy.directory, manifest, [conv16!]);
      const weightPath = join(copy.directory, manifest.layers[0]!.weightFile);
      const weight = await readFile(weightPath);
      weight[0] = weight[0]! ^ 1;
      await writeFile(weightPath, weight);
      const reread = await readManifest(copy.directory);
      await expect(readLayerStats(copy.directory, reread, reread.layers[1]!)).rejects.toMatchObject({ code: "stats-stale" });
    } finally {
      await copy.remove();
    }
  });
});

const shipped = parseManifest(readFileSync(join(SHIPPED_MODEL, "manifest.json"), "utf8"), "shipped manifest");

describe.skipIf(!shipped.stats)("the shipped key statistics (present once `npm run stats` has run)", () => {
  it("are current, I×I, symmetric, with a non-negative diagonal, for every layer", async () => {
    for (const layer of shipped.layers) {
      const stats = await readLayerStats(SHIPPED_MODEL, shipped, layer);
      expectSymmetricWithNonNegativeDiagonal(stats.moment, layer.key[0]);
      expect(stats.samples).toBeGreaterThan(0);
    }
  });
});
