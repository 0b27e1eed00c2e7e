import { describe, expect, it } from "vitest";

import { latentBatch } from "../../shared/latent";

import { ModelError } from "./errors";
import { cudaProviderInstalled, executionProviderFromEnv } from "./executionProvider";
import { GeneratorModel } from "./generatorModel";
import { recordingLogger, SHIPPED_MODEL } from "./testSupport";

describe("executionProviderFromEnv", () => {
  it("defaults to auto and accepts cuda, cpu and auto in any case", () => {
    expect(executionProviderFromEnv({})).toBe("auto");
    expect(executionProviderFromEnv({ REWRITE_EXECUTION_PROVIDER: "" })).toBe("auto");
    expect(executionProviderFromEnv({ REWRITE_EXECUTION_PROVIDER: " CUDA " })).toBe("cuda");
    expect(executionProviderFromEnv({ REWRITE_EXECUTION_PROVIDER: "cpu" })).toBe("cpu");
  });

  it("rejects anything else with a message naming the variable", () => {
    expect(() => executionProviderFromEnv({ REWRITE_EXECUTION_PROVIDER: "tpu" })).toThrow(ModelError);
    expect(() => executionProviderFromEnv({ REWRITE_EXECUTION_PROVIDER: "tpu" })).toThrow(/REWRITE_EXECUTION_PROVIDER/);
  });
});

describe("GeneratorModel on a requested provider", () => {
  it("runs when CUDA is asked for, on CUDA if it loads, else on the CPU with a warning", async () => {
    const { logger, records } = recordingLogger();
    const model = await GeneratorModel.load(SHIPPED_MODEL, { logger, executionProvider: "cuda" });
    try {
      const { image } = await model.run(latentBatch([0], model.manifest.zDim));
      expect(image.data.every(Number.isFinite)).toBe(true);

      const chosen = records.filter((r) => r.msg === `onnx session on ${model.executionProvider}`);
      // The generator, and each layer's render and feature graphs.
      const sideGraphs = model.layers.reduce((n, l) => n + Number(l.render !== undefined) + Number(l.features !== undefined), 0);
      expect(sideGraphs).toBe(2 * model.layers.length);
      expect(chosen.length).toBe(1 + sideGraphs);
      const fallbacks = records.filter((r) => /falling back to cpu/.test(String(r.msg)));
      if (model.executionProvider === "cpu") {
        expect(fallbacks[0]).toMatchObject({ level: 40, requested: "cuda" });
        expect(String(fallbacks[0]!.reason)).not.toBe("");
      } else {
        expect(fallbacks).toEqual([]);
      }
    } finally {
      await model.release();
    }
  });

  it.skipIf(cudaProviderInstalled())("under auto, without the CUDA provider library, uses the CPU without a warning", async () => {
    const { logger, records } = recordingLogger();
    const model = await GeneratorModel.load(SHIPPED_MODEL, { logger, executionProvider: "auto" });
    await model.release();
    expect(model.executionProvider).toBe("cpu");
    expect(records.filter((r) => Number(r.level) >= 40)).toEqual([]);
    expect(records.some((r) => r.msg === "cuda provider library not installed; using cpu")).toBe(true);
  });

  it("never tries CUDA when the CPU is asked for", async () => {
    const { logger, records } = recordingLogger();
    const model = await GeneratorModel.load(SHIPPED_MODEL, { logger, executionProvider: "cpu" });
    await model.release();
    expect(model.executionProvider).toBe("cpu");
    expect(records.some((r) => /cuda/.test(String(r.msg)))).toBe(false);
  });
});
