import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ModelError } from "./errors";
import { parseManifest, readManifest } from "./manifest";
import { SHIPPED_MODEL } from "./testSupport";

const shippedText = readFileSync(join(SHIPPED_MODEL, "manifest.json"), "utf8");

function withChange(change: (json: Record<string, unknown>) => void): string {
  const json = JSON.parse(shippedText) as Record<string, unknown>;
  change(json);
  return JSON.stringify(json);
}

describe("parseManifest", () => {
  it("accepts the shipped manifest with consistent layer shapes", () => {
    const manifest = parseManifest(shippedText, "shipped");
    expect(manifest.layers.length).toBeGreaterThan(0);
    for (const layer of manifest.layers) {
      expect(layer.weight[1]).toBe(layer.key[0]);
      expect(layer.weight[0]).toBe(layer.value[0]);
    }
  });

  it("rejects a layer whose weight does not fit its key and value", () => {
    const text = withChange((json) => {
      (json.layers as { weight: number[] }[])[0]!.weight[1] = 3;
    });
    expect(() => parseManifest(text, "edited")).toThrow(/does not fit/);
  });

  it("rejects file names that leave the model folder", () => {
    const text = withChange((json) => {
      json.generator = "../generator.onnx";
    });
    expect(() => parseManifest(text, "edited")).toThrow(/plain file name/);
  });

  it("rejects text that is not JSON, with the source named", () => {
    expect(() => parseManifest("{", "broken.json")).toThrow(/broken\.json is not JSON/);
  });
});

describe("readManifest", () => {
  it("says there is no model at a folder without a manifest", async () => {
    await expect(readManifest("/nonexistent/model")).rejects.toBeInstanceOf(ModelError);
    await expect(readManifest("/nonexistent/model")).rejects.toMatchObject({ code: "model-not-found" });
  });
});
