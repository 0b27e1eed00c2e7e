import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseManifest, type ModelManifest } from "./manifest";

/**
 * Server-side access to the shipped models (models/<name>/manifest.json and
 * the files it names), used by the /api/models routes that feed the browser
 * preview. Only files a manifest names can be read: no path from a request
 * ever reaches the file system unchecked.
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

const MODEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/** Folder holding one sub-folder per model (MODELS_DIR, default ./models). */
export function modelsRoot(): string {
  return resolve(process.env.MODELS_DIR ?? join(process.cwd(), "models"));
}

export async function readManifest(
  model: string,
  root: string = modelsRoot(),
): Promise<ModelManifest> {
  if (!MODEL_NAME.test(model)) {
    throw new ModelFileError("MODEL_NOT_FOUND", `no model named "${model}"`);
  }
  let text: string;
  try {
    text = await readFile(join(root, model, "manifest.json"), "utf8");
  } catch {
    throw new ModelFileError("MODEL_NOT_FOUND", `no model named "${model}"`);
  }
  return parseManifest(JSON.parse(text));
}

/** Every model folder with a readable, valid manifest, sorted by name. */
export async function listModels(
  root: string = modelsRoot(),
): Promise<ModelManifest[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory() && MODEL_NAME.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const manifests = await Promise.all(
    names.map((name) => readManifest(name, root).catch(() => null)),
  );
  return manifests.filter((m): m is ModelManifest => m !== null);
}

/** Files of a model the browser may fetch: its manifest, graph and weights. */
export function servedFiles(manifest: ModelManifest): Set<string> {
  return new Set([
    "manifest.json",
    manifest.generator,
    ...manifest.layers.map((layer) => layer.weightFile),
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
  root: string = modelsRoot(),
): Promise<ModelFile> {
  const manifest = await readManifest(model, root);
  if (!servedFiles(manifest).has(file)) {
    throw new ModelFileError(
      "FILE_NOT_SERVED",
      `model "${model}" serves no file "${file}"`,
    );
  }
  const path = join(root, model, file);
  const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
  return { bytes, etag: `"${info.size.toString(16)}-${info.mtimeMs.toString(16)}"` };
}
