/**
 * The checkpoint exporter (models/byom/export.py) turns a ProGAN or a
 * StyleGAN2 into the same rewritable ONNX layout as the shipped model. No
 * real checkpoint can be downloaded here, so each architecture is built at
 * 32 px with random weights, exported, and the ONNX graph run by the
 * server's GeneratorModel is compared with torch's forward pass.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GeneratorModel } from "@/server/model";
import { silentLogger } from "@/server/model/testSupport";
import { latentBatch } from "@/shared/latent";

const run = promisify(execFile);
const EXPORTER = new URL("./export.py", import.meta.url).pathname;
/** Max |onnx − torch| allowed, relative to max(1, max |torch|). */
const TOLERANCE = 1e-4;

async function readF32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  const allowed = TOLERANCE * Math.max(1, maxAbs(expected));
  expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(allowed);
}

describe.each(["progan", "stylegan2"] as const)("exported %s", (arch) => {
  let root: string;
  let model: GeneratorModel;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `rewrite-byom-${arch}-`));
    await run("/usr/bin/python3", [EXPORTER, arch, "--random", "32", "--self-test", "--out", root], {
      env: { ...process.env, OMP_NUM_THREADS: "1" },
    });
    model = await GeneratorModel.load(root, { logger: silentLogger });
  });

  afterAll(async () => {
    await model?.release();
    await rm(root, { recursive: true, force: true });
  });

  it("offers only same-resolution 3×3 convs whose keys and values share H×W", () => {
    expect(model.layers.length).toBeGreaterThan(1);
    for (const layer of model.layers) {
      expect(layer.weight.slice(2)).toEqual([3, 3]);
      expect(layer.key.slice(1)).toEqual(layer.value.slice(1));
    }
  });

  it("reproduces torch's image and every layer's values for seeds 0-3", async () => {
    const { manifest } = model;
    const seeds = manifest.reference.seeds;
    const output = await model.run(latentBatch(seeds, manifest.zDim));
    const reference = await readF32(join(root, manifest.reference.file));
    let offset = 0;
    for (const name of manifest.reference.outputs) {
      const actual =
        name === "image" ? output.image : output.values[name.replace(/^value_/, "")]!;
      const expected = reference.subarray(offset, offset + actual.data.length);
      expectClose(actual.data, expected);
      offset += actual.data.length;
    }
    expect(offset).toBe(reference.length);
  });

  it("changes its output exactly as torch does when a layer's weight changes", async () => {
    const manifest = JSON.parse(await readFile(join(root, "manifest.json"), "utf8"));
    const { layer, delta, image, seeds } = manifest.selfTest;
    const edited = model.originalWeight(layer);
    const change = await readF32(join(root, delta));
    for (let i = 0; i < edited.length; i++) edited[i] = edited[i]! + change[i]!;

    const z = latentBatch(seeds, model.manifest.zDim);
    const before = await model.run(z);
    const after = await model.run(z, { [layer]: edited });
    const expected = await readF32(join(root, image));

    expectClose(after.image.data, expected);
    expect(maxAbsDifference(after.image.data, before.image.data)).toBeGreaterThan(1e-3);
  });
});

describe("the exporter's arguments", () => {
  it("refuses a layer that cannot be rewritten and names the choices", async () => {
    const out = await mkdtemp(join(tmpdir(), "rewrite-byom-bad-"));
    try {
      const attempt = run("/usr/bin/python3", [
        EXPORTER, "stylegan2", "--random", "32", "--layers", "layer3", "--out", out,
      ]);
      await expect(attempt).rejects.toMatchObject({
        stderr: expect.stringContaining("cannot rewrite ['layer3']"),
      });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
