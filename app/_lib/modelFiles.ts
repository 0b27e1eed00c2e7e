import { existsSync, readdirSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { parseManifest, type ModelManifest } from "./manifest";

/**
 * Server-side access to the models the server offers, for the home page and
 * the /api/models routes that feed the browser preview. The folders come
 * from REWRITE_MODELS exactly as the server reads them (server/config.ts):
 * path-delimited, each a model folder (holding manifest.json) or a folder of
 * model folders; default models/town64. Only files a manifest names can be
 * read: no path from a request reaches the file system unchecked.
 */

export class ModelFileError extends Error {
  constructor(
    readonly code: "MODEL_NOT_FOUND" | "FILE_NOT_SERVED",
    message: string,
  ) {
    super(message);
    this.name = "ModelFileError";
  }
}

const MANIFEST = "manifest.json";

/** Model folders named by REWRITE_MODELS, in order. */
export function modelFolders(env: string | undefined = process.env.REWRITE_MODELS): string[] {
  const roots = (env ?? "models/town64")
    .split(delimiter)
    .filter((p) => p !== "")
    .map((p) => resolve(/* turbopackIgnore: true */ process.cwd(), p));
  return roots.flatMap((root) => {
    if (existsSync(join(/* turbopackIgnore: true */ root, MANIFEST))) return [root];
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(/* turbopackIgnore: true */ root, e.name, MANIFEST)))
      .map((e) => join(/* turbopackIgnore: true */ root, e.name))
      .sort();
  });
}

async function manifestIn(folder: string): Promise<ModelManifest | null> {
  try {
    const text = await readFile(join(/* turbopackIgnore: true */ folder, MANIFEST), "utf8");
    return parseManifest(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Every offered model with a valid manifest (first of each name wins). */
export async function listModels(folders: readonly string[] = modelFolders()): Promise<ModelManifest[]> {
  const found = await Promise.all(folders.map(async (folder) => ({ folder, manifest: await manifestIn(folder) })));
  const seen = new Set<string>();
  return found.flatMap(({ manifest }) => {
    if (!manifest || seen.has(manifest.name)) return [];
    seen.add(manifest.name);
    return [manifest];
  });
}

async function findModel(model: string, folders: readonly string[]): Promise<{ folder: string; manifest: ModelManifest }> {
  for (const folder of folders) {
    const manifest = await manifestIn(folder);
    if (manifest?.name === model) return { folder, manifest };
  }
  throw new ModelFileError("MODEL_NOT_FOUND", `no model named "${model}"`);
}

export async function readManifest(model: string, folders: readonly string[] = modelFolders()): Promise<ModelManifest> {
  return (await findModel(model, folders)).manifest;
}

/** Files of a model the browser may fetch: manifest, graphs, weights, key statistics. */
export function servedFiles(manifest: ModelManifest): Set<string> {
  return new Set([
    MANIFEST,
    manifest.generator,
    ...manifest.layers.map((layer) => layer.weightFile),
    ...manifest.layers.flatMap((layer) => (layer.features ? [layer.features.file] : [])),
    ...Object.values(manifest.stats ?? {}).map((entry) => entry.file),
  ]);
}

export interface ModelFile {
  readonly bytes: Buffer;
  /** Changes whenever the file is replaced (size and modification time). */
  readonly etag: string;
}

export async function readModelFile(
  model: string,
  file: string,
  folders: readonly string[] = modelFolders(),
): Promise<ModelFile> {
  const { folder, manifest } = await findModel(model, folders);
  if (!servedFiles(manifest).has(file)) {
    throw new ModelFileError("FILE_NOT_SERVED", `model "${model}" serves no file "${file}"`);
  }
  const path = join(/* turbopackIgnore: true */ folder, file);
  const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
  return { bytes, etag: `"${info.size.toString(16)}-${Math.round(info.mtimeMs).toString(16)}"` };
}
