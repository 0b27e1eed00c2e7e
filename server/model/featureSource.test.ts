import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { latentBatch } from "../../shared/latent";

import { modelFeatureSource } from "./featureSource";
import { GeneratorModel } from "./generatorModel";
import { computeKeyStatistics } from "./keyStatistics";
import { writeLayerStats } from "./layerStats";
import { readManifest } from "./manifest";
import { updateManifestFile } from "./manifestFile";
import { copyOfShippedModel, silentLogger } from "./testSupport";

let copy: Awaited<ReturnType<typeof copyOfShippedModel>>;
let model: GeneratorModel;

beforeAll(async () => {
  copy = await copyOfShippedModel();
  await updateManifestFile(copy.directory, (json) => {
    delete json.stats;
  });
  model = await GeneratorModel.load(copy.directory, { logger: silentLogger, executionProvider: "cpu" });
});

afterAll(async () => {
  await model.release();
  await copy.remove();
});

describe("modelFeatureSource", () => {
  it("describes the model's layers and image size", () => {
    const source = modelFeatureSource(model);
    expect(source.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(source.imageSize).toEqual([model.manifest.resolution, model.manifest.resolution]);
    expect(source.originalWeight("conv32")).toEqual(model.originalWeight("conv32"));
  });

  it("returns one layer's keys and values for the seeds, with the given weights", async () => {
    const source = modelFeatureSource(model);
    const seeds = [3, 1, 4];
    const weights = { conv16: model.originalWeight("conv16").map((w) => w * 2) };
    const features = await source.features("conv16", seeds, weights);
    const direct = await model.run(latentBatch(seeds, model.manifest.zDim), weights);
    expect(features.keys).toEqual(direct.keys.conv16);
    expect(features.values).toEqual(direct.values.conv16);
  });

  it("stacks seeds from several generator runs in order", async () => {
    const source = modelFeatureSource(model);
    const seeds = Array.from({ length: 35 }, (_, i) => 100 + i);
    const features = await source.features("conv8", seeds, {});
    expect(features.keys.shape).toEqual([35, ...model.layer("conv8").key]);
    const last = await model.run(latentBatch([134], model.manifest.zDim));
    const perSample = last.keys.conv8!.data.length;
    const tail = features.keys.data.subarray(34 * perSample);
    tail.forEach((v, i) => expect(Math.abs(v - last.keys.conv8!.data[i]!)).toBeLessThan(1e-5));
  });

  it("serves the cached second moment once `npm run stats` has written it", async () => {
    const source = modelFeatureSource(model);
    await expect(source.secondMoment("conv32")).rejects.toMatchObject({ code: "stats-missing" });

    const stats = await computeKeyStatistics(model, [0, 1], { layers: ["conv32"] });
    await writeLayerStats(copy.directory, await readManifest(copy.directory), stats);
    const moment = await source.secondMoment("conv32");
    expect(moment.shape).toEqual([128, 128]);
    expect(moment.data).toEqual(stats[0]!.moment);

    await writeFile(join(copy.directory, "stats_conv32.f64"), new Uint8Array(8));
    expect(await source.secondMoment("conv32")).toBe(moment); // read once, then kept
  });

  it("refuses unknown layers", async () => {
    const source = modelFeatureSource(model);
    await expect(source.features("conv4", [0], {})).rejects.toMatchObject({ code: "unknown-layer" });
    await expect(source.secondMoment("conv4")).rejects.toThrow(/no rewritable layer/);
  });
});
