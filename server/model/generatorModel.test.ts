import { readFile, truncate } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { latentBatch } from "../../shared/latent";

import { ModelError } from "./errors";
import { GeneratorModel } from "./generatorModel";
import { ShapeError, shapeSize, type Tensor } from "./tensor";
import { updateManifestFile } from "./manifestFile";
import { copyOfShippedModel, SHIPPED_MODEL, silentLogger } from "./testSupport";

/**
 * ONNX Runtime and torch sum in different orders; outputs may differ by
 * float32 rounding. Allowed: 1e-4 of the output's largest magnitude (at
 * least 1e-4 absolute). Measured on the early export: ≤ 4.3e-6 absolute.
 */
const PARITY_TOLERANCE = 1e-4;

let model: GeneratorModel;

beforeAll(async () => {
  model = await GeneratorModel.load(SHIPPED_MODEL, {
    logger: silentLogger,
    executionProvider: "cpu",
  });
});

afterAll(async () => {
  await model.release();
});

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]!));
  return largest;
}

describe("GeneratorModel.run", () => {
  it("reproduces torch's reference outputs for seeds 0..3", async () => {
    const { reference, zDim } = model.manifest;
    const bytes = await readFile(join(SHIPPED_MODEL, reference.file));
    const expected = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const output = await model.run(latentBatch(reference.seeds, zDim));

    let offset = 0;
    for (const name of reference.outputs) {
      const tensor = name === "image" ? output.image : output.values[name.replace(/^value_/, "")]!;
      const slice = expected.subarray(offset, offset + tensor.data.length);
      offset += tensor.data.length;
      const bound = PARITY_TOLERANCE * Math.max(1, maxAbs(slice));
      expect(maxAbsDifference(tensor.data, slice), name).toBeLessThanOrEqual(bound);
    }
    expect(offset).toBe(expected.length);
  });

  it("returns the shapes the manifest declares for a batch", async () => {
    const { resolution, zDim } = model.manifest;
    const output = await model.run(latentBatch([7, 8], zDim));
    expect(output.image.shape).toEqual([2, 3, resolution, resolution]);
    for (const layer of model.layers) {
      expect(output.keys[layer.name]!.shape).toEqual([2, ...layer.key]);
      expect(output.values[layer.name]!.shape).toEqual([2, ...layer.value]);
      expect(model.originalWeight(layer.name).length).toBe(shapeSize(layer.weight));
    }
  });

  it("gives identical outputs for the same seed", async () => {
    const z = latentBatch([5], model.manifest.zDim);
    const first = await model.run(z);
    const second = await model.run(z);
    expect(second.image.data).toEqual(first.image.data);
    for (const layer of model.layers) {
      expect(second.values[layer.name]!.data).toEqual(first.values[layer.name]!.data);
    }
  });

  it("treats explicit trained weights exactly like the defaults", async () => {
    const z = latentBatch([11, 12], model.manifest.zDim);
    const weights = Object.fromEntries(model.layers.map((l) => [l.name, model.originalWeight(l.name)]));
    const implicit = await model.run(z);
    const explicit = await model.run(z, weights);
    expect(explicit.image.data).toEqual(implicit.image.data);
  });

  it("computes a changed layer's value as conv2d of its key with the new weight", async () => {
    const layer = model.layer("conv16");
    const [outputs, inputs, kh, kw] = layer.weight;
    const weight = model.originalWeight(layer.name);
    for (let i = 0; i < weight.length; i++) weight[i] = weight[i]! + 0.05 * Math.sin(i);
    const z = latentBatch([3], model.manifest.zDim);
    const original = await model.run(z);
    const edited = await model.run(z, { [layer.name]: weight });

    const key = edited.keys[layer.name]!;
    expect(key.data).toEqual(original.keys[layer.name]!.data);
    const value = edited.values[layer.name]!;
    const [, , height, width] = value.shape as [number, number, number, number];
    const cells = [[0, 0, 0], [5, 7, 9], [outputs - 1, height - 1, width - 1], [17, 0, width - 1]];
    for (const [o, y, x] of cells as [number, number, number][]) {
      const direct = conv2dAt(key, weight, [outputs, inputs, kh, kw], o, y, x);
      const got = value.data[(o * height + y) * width + x]!;
      expect(Math.abs(got - direct)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(direct)));
      const before = original.values[layer.name]!.data[(o * height + y) * width + x]!;
      expect(Math.abs(got - before)).toBeGreaterThan(1e-3);
    }
  });

  it("refuses bad latents, unknown layers and wrongly sized weights", async () => {
    const z = latentBatch([0], model.manifest.zDim);
    await expect(model.run(z.subarray(1))).rejects.toBeInstanceOf(ShapeError);
    await expect(model.run(new Float32Array(0))).rejects.toBeInstanceOf(ShapeError);
    await expect(model.run(z, { nope: new Float32Array(1) })).rejects.toMatchObject({ code: "unknown-layer" });
    await expect(model.run(z, { conv8: new Float32Array(3) })).rejects.toBeInstanceOf(ShapeError);
    expect(() => model.layer("conv7")).toThrow(ModelError);
  });

  it("hands out copies of the trained weights", () => {
    const weight = model.originalWeight("conv8");
    weight.fill(0);
    expect(maxAbs(model.originalWeight("conv8"))).toBeGreaterThan(0);
  });
});

describe("GeneratorModel.render", () => {
  it("turns each layer's value map into the generator's image", async () => {
    const z = latentBatch([21, 22], model.manifest.zDim);
    const output = await model.run(z);
    for (const layer of model.layers) {
      const image = await model.render(layer.name, output.values[layer.name]!);
      expect(image.shape).toEqual(output.image.shape);
      expect(maxAbsDifference(image.data, output.image.data)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    }
  });

  it("uses the given weights for the layers after the rendered one", async () => {
    const z = latentBatch([4], model.manifest.zDim);
    const later = model.originalWeight("conv32").map((w) => -w);
    const edited = await model.run(z, { conv32: later });
    const image = await model.render("conv8", edited.values.conv8!, { conv32: later });
    expect(maxAbsDifference(image.data, edited.image.data)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    const unedited = await model.run(z);
    expect(maxAbsDifference(image.data, unedited.image.data)).toBeGreaterThan(1e-2);
  });

  it("refuses a value map of the wrong shape", async () => {
    const wrong: Tensor = { data: new Float32Array(128 * 8 * 8), shape: [1, 128, 8, 8] };
    await expect(model.render("conv16", wrong)).rejects.toBeInstanceOf(ShapeError);
  });
});

describe("GeneratorModel.layerOutput", () => {
  const z = () => latentBatch([7, 8, 9], model.manifest.zDim);

  it("gives each layer's key and value as the whole generator does, with trained and edited weights", async () => {
    const edited = {
      conv8: model.originalWeight("conv8").map((w) => 0.5 * w),
      conv16: model.originalWeight("conv16").map((w, k) => (k % 3 === 0 ? -w : w)),
    };
    for (const weights of [{}, edited]) {
      const whole = await model.run(z(), weights);
      for (const layer of model.layers) {
        expect(layer.features, layer.name).toBeDefined();
        const output = await model.layerOutput(layer.name, z(), weights);
        expect(output.key.shape).toEqual(whole.keys[layer.name]!.shape);
        expect(output.value.shape).toEqual(whole.values[layer.name]!.shape);
        const bound = (t: Tensor) => PARITY_TOLERANCE * Math.max(1, maxAbs(t.data));
        expect(maxAbsDifference(output.key.data, whole.keys[layer.name]!.data)).toBeLessThanOrEqual(bound(output.key));
        expect(maxAbsDifference(output.value.data, whole.values[layer.name]!.data)).toBeLessThanOrEqual(
          bound(output.value),
        );
      }
    }
    // The edit reached the later layers' keys: the comparison above was not between unedited runs.
    const before = await model.layerOutput("conv16", z());
    const after = await model.layerOutput("conv16", z(), edited);
    expect(maxAbsDifference(before.key.data, after.key.data)).toBeGreaterThan(1e-2);
  });

  it("runs the whole generator for a model folder without feature graphs", async () => {
    const copy = await copyOfShippedModel();
    try {
      await updateManifestFile(copy.directory, (json) => {
        for (const layer of json.layers as { features?: unknown }[]) delete layer.features;
      });
      const plain = await GeneratorModel.load(copy.directory, { logger: silentLogger, executionProvider: "cpu" });
      try {
        const output = await plain.layerOutput("conv32", z());
        const expected = await model.layerOutput("conv32", z());
        expect(maxAbsDifference(output.value.data, expected.value.data)).toBeLessThanOrEqual(
          PARITY_TOLERANCE * Math.max(1, maxAbs(expected.value.data)),
        );
      } finally {
        await plain.release();
      }
    } finally {
      await copy.remove();
    }
  });

  it("refuses unknown layers and wrongly sized latents", async () => {
    await expect(model.layerOutput("conv4", z())).rejects.toMatchObject({ code: "unknown-layer" });
    await expect(model.layerOutput("conv16", new Float32Array(5))).rejects.toBeInstanceOf(ShapeError);
  });
});

/** value[o, y, x] of a stride-1, padding-1, bias-free conv2d, summed in float64. */
function conv2dAt(
  key: Tensor,
  weight: Float32Array,
  [, inputs, kh, kw]: readonly number[] & [number, number, number, number],
  o: number,
  y: number,
  x: number,
): number {
  const [, , height, width] = key.shape as [number, number, number, number];
  let total = 0;
  for (let i = 0; i < inputs; i++) {
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        const yy = y + dy - 1;
        const xx = x + dx - 1;
        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
        total += weight[((o * inputs + i) * kh + dy) * kw + dx]! * key.data[(i * height + yy) * width + xx]!;
      }
    }
  }
  return total;
}

describe("GeneratorModel.load", () => {
  it("refuses a folder whose weight file is truncated", async () => {
    const copy = await copyOfShippedModel();
    try {
      await truncate(join(copy.directory, model.layers[1]!.weightFile), 100);
      await expect(
        GeneratorModel.load(copy.directory, { logger: silentLogger, executionProvider: "cpu" }),
      ).rejects.toMatchObject({ code: "weight-file-invalid" });
    } finally {
      await copy.remove();
    }
  });

  /** Loading a copy of the shipped model whose manifest `breakIt` changed. */
  async function loadBroken(breakIt: (json: Record<string, unknown>) => void): Promise<unknown> {
    const copy = await copyOfShippedModel();
    try {
      await updateManifestFile(copy.directory, breakIt);
      const loaded = await GeneratorModel.load(copy.directory, { logger: silentLogger, executionProvider: "cpu" });
      await loaded.release();
      return null;
    } catch (error) {
      return error;
    } finally {
      await copy.remove();
    }
  }

  type LayerJson = { keyOutput: string; features: { file: string; weights: string[] } };
  const layerOf = (json: Record<string, unknown>, index: number) => (json.layers as LayerJson[])[index]!;

  it.each([
    [
      "naming tensors the graph does not have",
      (json: Record<string, unknown>) => (layerOf(json, 0).keyOutput = "key_missing"),
      /lacks the tensors the manifest names: key_missing/,
    ],
    [
      "with a missing feature graph file",
      (json: Record<string, unknown>) => (layerOf(json, 1).features.file = "features_nope.onnx"),
      /conv16 feature graph features_nope.onnx cannot be loaded/,
    ],
    [
      "whose feature entry leaves out the layer's own weight",
      (json: Record<string, unknown>) => (layerOf(json, 1).features.weights = ["weight_conv8"]),
      /features_conv16.onnx does not match the manifest: .*weight_conv16 is not listed, so edits to it would be ignored/,
    ],
    [
      "whose feature entry leaves out an earlier layer's weight",
      (json: Record<string, unknown>) => (layerOf(json, 1).features.weights = ["weight_conv16"]),
      /features_conv16.onnx does not match the manifest: weight_conv8 is not listed, so edits to it would be ignored; input weight_conv8 is not named in the manifest/,
    ],
    [
      "whose feature entry names a later layer's weight",
      (json: Record<string, unknown>) => layerOf(json, 0).features.weights.push("weight_conv16"),
      /features_conv8.onnx does not match the manifest: no input weight_conv16; weight_conv16 is not this or an earlier layer's weight/,
    ],
  ])("refuses a manifest %s", async (_name, breakIt, message) => {
    const error = await loadBroken(breakIt);
    expect(error).toMatchObject({ code: "manifest-invalid" });
    expect(String((error as Error).message)).toMatch(message);
  });
});
