import { z } from "zod";

/**
 * The part of a model's manifest.json the browser needs: image size, latent
 * size and, per rewritable layer, the ONNX input/output names, weight file and
 * tensor shapes. Validated at load so a malformed manifest fails loudly.
 */
const layerSchema = z.object({
  name: z.string().min(1),
  weightInput: z.string().min(1),
  keyOutput: z.string().min(1),
  valueOutput: z.string().min(1),
  weightFile: z.string().min(1),
  weight: z.array(z.number().int().positive()).length(4),
  key: z.array(z.number().int().positive()).length(3),
  value: z.array(z.number().int().positive()).length(3),
  /** z and the weights named → this layer's key and value only (absent: run the whole generator). */
  features: z.object({ file: z.string().min(1), weights: z.array(z.string().min(1)) }).optional(),
});

export const manifestSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  resolution: z.number().int().positive(),
  zDim: z.number().int().positive(),
  generator: z.string().min(1),
  layers: z.array(layerSchema).min(1),
  /** Key second moments per layer (written by `npm run stats`). */
  stats: z
    .record(z.string(), z.object({ file: z.string().min(1), samples: z.number().int().positive(), seeds: z.string() }))
    .optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type LayerManifest = ModelManifest["layers"][number];

/** Summary shown when choosing a model for a new session. */
export interface ModelSummary {
  readonly name: string;
  readonly description: string;
  readonly layers: readonly string[];
}

/** Where the browser fetches a file a model's manifest names (app/api/models/[model]/[file]). */
export function modelFileUrl(model: string, file: string): string {
  return `/api/models/${encodeURIComponent(model)}/${encodeURIComponent(file)}`;
}

export function parseManifest(json: unknown): ModelManifest {
  return manifestSchema.parse(json);
}

export function summarise(manifest: ModelManifest): ModelSummary {
  return {
    name: manifest.name,
    description: manifest.description ?? "",
    layers: manifest.layers.map((layer) => layer.name),
  };
}

/** Number of float32 values in a layer's weight, O·I·kh·kw. */
export function weightLength(layer: LayerManifest): number {
  return layer.weight.reduce((a, b) => a * b, 1);
}
