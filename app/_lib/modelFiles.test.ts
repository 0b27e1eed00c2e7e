import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listModels, modelFolders, ModelFileError, readModelFile } from "./modelFiles";

function fakeModel(root: string, name: string): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  const manifest = {
    name,
    resolution: 64,
    zDim: 8,
    generator: "generator.onnx",
    layers: [
      { name: "conv8", weightInput: "w", keyOutput: "k", valueOutput: "v", weightFile: "conv8.weight.f32", weight: [2, 2, 3, 3], key: [2, 8, 8], value: [2, 8, 8],
        features: { file: "features_conv8.onnx", weights: ["w"] } },
    ],
  };
  writeFileSync(join(folder, "manifest.json"), JSON.stringify(manifest));
  writeFileSync(join(folder, "generator.onnx"), "graph");
  writeFileSync(join(folder, "features_conv8.onnx"), "feature graph");
  writeFileSync(join(folder, "secret.txt"), "not for the browser");
  return folder;
}

describe("model files offered to the browser", () => {
  const root = mkdtempSync(join(tmpdir(), "rewrite-models-"));
  const a = fakeModel(root, "alpha");
  fakeModel(root, "beta");

  it("finds model folders given directly or as a parent folder", async () => {
    expect(modelFolders(a)).toEqual([a]);
    expect((await listModels(modelFolders(root))).map((m) => m.name)).toEqual(["alpha", "beta"]);
  });

  it("serves only files the manifest names", async () => {
    const folders = modelFolders(root);
    expect((await readModelFile("alpha", "generator.onnx", folders)).bytes.toString()).toBe("graph");
    expect((await readModelFile("alpha", "features_conv8.onnx", folders)).bytes.toString()).toBe("feature graph");
    await expect(readModelFile("alpha", "secret.txt", folders)).rejects.toThrow(ModelFileError);
    await expect(readModelFile("alpha", "../beta/manifest.json", folders)).rejects.toThrow(/serves no file/);
    await expect(readModelFile("gamma", "manifest.json", folders)).rejects.toThrow(/no model named/);
  });
});
