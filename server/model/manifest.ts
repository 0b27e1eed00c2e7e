import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { z } from "zod";

import { ModelError } from "./errors";

/** A file name inside the model folder: no directories, no "..". */
const fileName = z
  .string()
  .regex(/^[\w][\w.-]*$/, "must be a plain file name inside the model folder");
const extent = z.number().int().positive();
const chw = z.tuple([extent, extent, extent]);

const layerSchema = z
  .object({
    name: z.string().regex(/^\w+$/),
    weightInput: z.string(),
    keyOutput: z.string(),
    valueOutput: z.string(),
    weightFile: fileName,
    /** [O, I, kh, kw] */
    weight: z.tuple([extent, extent, extent, extent]),
    /** [I, H, W] */
    key: chw,
    /** [O, H, W] */
    value: chw,
    /** Absent for imported checkpoints, whose rendering needs the latent. */
    render: z
      .object({ file: fileName, weights: z.array(z.string()) })
      .optional(),
    /**
     * z and the weights named → this layer's key and value only, for the
     * rewrite engine; absent, the whole generator runs instead.
     */
    features: z
      .object({ file: fileName, weights: z.array(z.string()) })
      .optional(),
  })
  .superRefine((layer, context) => {
    const [out, inp] = layer.weight;
    const consistent =
      layer.key[0] === inp &&
      layer.value[0] === out &&
      layer.key[1] === layer.value[1] &&
      layer.key[2] === layer.value[2];
    if (!consistent) {
      context.addIssue({
        code: "custom",
        message: `layer ${layer.name}: weight [${layer.weight}] does not fit key [${layer.key}] → value [${layer.value}]`,
      });
    }
  });

const statsEntrySchema = z.object({
  file: fileName,
  samples: extent,
  seeds: z.string(),
  /** sha256 of generator.onnx and the weight files the statistics came from. */
  modelSha256: z.string().optional(),
});

const manifestSchema = z.object({
  name: z.string(),
  resolution: extent,
  zDim: extent,
  generator: fileName,
  imageRange: z.tuple([z.number(), z.number()]),
  layers: z.array(layerSchema).min(1),
  reference: z.object({
    file: fileName,
    seeds: z.array(z.number().int().nonnegative()),
    outputs: z.array(z.string()),
  }),
  stats: z.record(z.string(), statsEntrySchema).optional(),
  segmenter: z
    .object({
      file: fileName,
      classes: z.array(z.string()).min(1),
      /** Pixel share of each class in the generator's training data. */
      trainingClassFrequency: z.record(z.string(), z.number().min(0).max(1)).optional(),
    })
    .optional(),
});

/** The validated `manifest.json` of a model folder (unknown keys dropped). */
export type Manifest = z.infer<typeof manifestSchema>;
/** One rewritable convolution: names of its graph tensors and its shapes. */
export type LayerSpec = z.infer<typeof layerSchema>;
/** Where a layer's key second moment is cached, and what it was computed on. */
export type StatsEntry = z.infer<typeof statsEntrySchema>;

export const MANIFEST_FILE = "manifest.json";

/** Reads and validates `<directory>/manifest.json`. */
export async function readManifest(directory: string): Promise<Manifest> {
  const path = join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelError(
      "model-not-found",
      `no model at ${directory}: cannot read ${MANIFEST_FILE} (${(error as Error).message})`,
    );
  }
  return parseManifest(text, path);
}

/** Parses manifest text; `source` names it in error messages. */
export function parseManifest(text: string, source: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(
      "manifest-invalid",
      `${source} is not JSON: ${(error as Error).message}`,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelError(
      "manifest-invalid",
      `${source} is not a valid manifest: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
