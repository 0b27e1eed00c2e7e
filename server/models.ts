/**
 * The models this server offers, by name: manifests read at startup, ONNX
 * sessions opened on first use and shared by every session of that model.
 */
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { RewriteError } from "@/shared/protocol";
import { GeneratorModel, type Manifest, readManifest } from "./model";

export interface ModelEntry {
  readonly name: string;
  readonly directory: string;
  readonly manifest: Manifest;
}

export class ModelRegistry {
  private readonly entries: ReadonlyMap<string, ModelEntry>;
  private readonly loaded = new Map<string, Promise<GeneratorModel>>();
  private readonly logger: Logger;

  private constructor(entries: ModelEntry[], logger: Logger) {
    this.entries = new Map(entries.map((e) => [e.name, e]));
    this.logger = logger;
  }

  /**
   * Reads the manifests under `directories`: each is a model folder (it
   * holds manifest.json) or a folder of model folders.
   */
  static async discover(directories: readonly string[], logger: Logger): Promise<ModelRegistry> {
    const entries: ModelEntry[] = [];
    for (const directory of directories) {
      for (const folder of modelFolders(path.resolve(directory))) {
        const manifest = await readManifest(folder);
        if (entries.some((e) => e.name === manifest.name)) continue;
        entries.push({ name: manifest.name, directory: folder, manifest });
      }
    }
    return new ModelRegistry(entries, logger);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** The first model found, used when a request names none. */
  get defaultName(): string | null {
    return this.names[0] ?? null;
  }

  /** The manifest entry of a model; throws MODEL_UNAVAILABLE. */
  entry(name: string): ModelEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new RewriteError("MODEL_UNAVAILABLE", `no model "${name}"`);
    return entry;
  }

  /** The loaded generator, opening its ONNX sessions on first use. */
  model(name: string): Promise<GeneratorModel> {
    const entry = this.entry(name);
    let model = this.loaded.get(name);
    if (model === undefined) {
      const started = Date.now();
      model = GeneratorModel.load(entry.directory, { logger: this.logger }).then((m) => {
        this.logger.info(
          { model: name, executionProvider: m.executionProvider, ms: Date.now() - started },
          "model loaded",
        );
        return m;
      });
      model.catch((err: unknown) => {
        this.loaded.delete(name);
        this.logger.error({ model: name, err }, "model failed to load");
      });
      this.loaded.set(name, model);
    }
    return model;
  }

  /** The execution provider of a loaded model, or null if not loaded. */
  async executionProvider(name: string): Promise<string | null> {
    const model = this.loaded.get(name);
    return model === undefined ? null : (await model.catch(() => null))?.executionProvider ?? null;
  }

  async release(): Promise<void> {
    for (const model of this.loaded.values()) {
      await model.then((m) => m.release()).catch(() => undefined);
    }
    this.loaded.clear();
  }
}

function modelFolders(directory: string): string[] {
  if (fs.existsSync(path.join(directory, "manifest.json"))) return [directory];
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(directory, d.name))
    .filter((folder) => fs.existsSync(path.join(folder, "manifest.json")))
    .sort();
}
