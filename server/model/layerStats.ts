import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { bytesOf, readFloat64File, writeFileAtomic } from "./binaryFile";
import { ModelError } from "./errors";
import type { LayerSpec, Manifest, StatsEntry } from "./manifest";
import { updateManifestFile } from "./manifestFile";

/** A layer's key second moment C (I×I, symmetric) and where it came from. */
export interface LayerStats {
  readonly layer: string;
  /** I, the key channels. */
  readonly channels: number;
  /** C = E[k kᵀ], I×I row-major. */
  readonly moment: Float64Array;
  /** Images whose key maps were averaged. */
  readonly samples: number;
  /** Their seeds, as a seed list ("0-9999"). */
  readonly seeds: string;
}

/** `stats_<layer>.f64`: C as float64 little-endian, I×I row-major. */
export function statsFileName(layer: string): string {
  return `stats_${layer}.f64`;
}

/**
 * sha256 over the files that determine the keys: the generator graph and
 * every trained weight. Stored with the statistics to tell when they are
 * stale (a new export replaces these files but keeps manifest.stats).
 */
export async function modelFingerprint(
  directory: string,
  manifest: Manifest,
): Promise<string> {
  const hash = createHash("sha256");
  const files = [manifest.generator, ...manifest.layers.map((l) => l.weightFile)];
  for (const file of files) hash.update(await readFile(join(directory, file)));
  return hash.digest("hex");
}

/**
 * Writes each layer's C next to the model and records it under
 * `manifest.stats[layer]` = { file, samples, seeds, modelSha256 }.
 */
export async function writeLayerStats(
  directory: string,
  manifest: Manifest,
  stats: readonly LayerStats[],
): Promise<void> {
  const modelSha256 = await modelFingerprint(directory, manifest);
  const entries: Record<string, StatsEntry> = {};
  for (const s of stats) {
    const file = statsFileName(s.layer);
    await writeFileAtomic(join(directory, file), bytesOf(s.moment));
    entries[s.layer] = { file, samples: s.samples, seeds: s.seeds, modelSha256 };
  }
  await updateManifestFile(directory, (json) => {
    const previous = (json.stats ?? {}) as Record<string, unknown>;
    json.stats = { ...previous, ...entries };
  });
}

/**
 * Reads the cached C of `layer`. Throws ModelError "stats-missing" when the
 * manifest lists none, "stats-invalid" when the file has the wrong size, and
 * "stats-stale" when it was computed for other model files.
 */
export async function readLayerStats(
  directory: string,
  manifest: Manifest,
  layer: LayerSpec,
): Promise<LayerStats> {
  const entry = manifest.stats?.[layer.name];
  if (!entry) {
    throw new ModelError(
      "stats-missing",
      `no key statistics for ${layer.name} in ${directory}; run \`npm run stats\``,
    );
  }
  if (entry.modelSha256 !== (await modelFingerprint(directory, manifest))) {
    throw new ModelError(
      "stats-stale",
      `key statistics for ${layer.name} were computed for other model files; rerun \`npm run stats\``,
    );
  }
  const channels = layer.key[0];
  let moment: Float64Array;
  try {
    moment = await readFloat64File(join(directory, entry.file), channels * channels);
  } catch (error) {
    throw new ModelError("stats-invalid", (error as Error).message);
  }
  return { layer: layer.name, channels, moment, samples: entry.samples, seeds: entry.seeds };
}
