import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import * as ort from "onnxruntime-node";
import { PNG } from "pngjs";
import { latentBatch } from "@/shared/latent";
import { createSession, executeRule, openSession, tokenOf } from "./helpers";

test("the exported ONNX model runs and draws what the server shows", async ({ page, request }) => {
  const session = await createSession(request, "export");
  await openSession(page, session.editUrl);
  const hash = await executeRule(page);

  const download = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const file = await (await download).path();
  const model = await ort.InferenceSession.create(await readFile(file));
  expect(model.inputNames).toEqual(["z"]);

  const seed = 3;
  const z = new ort.Tensor("float32", latentBatch([seed], 128), [1, 128]);
  const { image } = await model.run({ z }, ["image"]);
  expect(image!.dims).toEqual([1, 3, 64, 64]);
  const data = image!.data as Float32Array;

  // Pixel for pixel (to PNG rounding) the server's image of the same rule set.
  const served = await request.get(`/api/sessions/${session.id}/image/${seed}.png?rules=${hash}&token=${tokenOf(session.editUrl)}`);
  const png = PNG.sync.read(await served.body());
  expect([png.width, png.height]).toEqual([64, 64]);
  let worst = 0;
  for (let p = 0; p < 64 * 64; p++) {
    for (let c = 0; c < 3; c++) {
      const expected = (data[c * 4096 + p]! + 1) * 127.5;
      worst = Math.max(worst, Math.abs(png.data[p * 4 + c]! - expected));
    }
  }
  expect(worst).toBeLessThanOrEqual(1.5);

  // And it is the edited model, not the original.
  const original = await ort.InferenceSession.create(await readFile("models/town64/generator.onnx"));
  const feeds: Record<string, ort.Tensor> = { z };
  const manifest = JSON.parse(await readFile("models/town64/manifest.json", "utf8")) as {
    layers: { weightInput: string; weightFile: string; weight: number[] }[];
  };
  for (const layer of manifest.layers) {
    const bytes = await readFile(`models/town64/${layer.weightFile}`);
    feeds[layer.weightInput] = new ort.Tensor("float32", new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), layer.weight);
  }
  const plain = (await original.run(feeds, ["image"])).image!.data as Float32Array;
  expect(plain.some((v, i) => Math.abs(v - data[i]!) > 1e-4)).toBe(true);
});
