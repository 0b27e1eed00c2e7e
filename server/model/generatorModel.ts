import { join } from "node:path";

import { Tensor as OrtTensor, type InferenceSession } from "onnxruntime-node";
import type { Logger } from "pino";

import { readFloat32File } from "./binaryFile";
import { ModelError } from "./errors";
import {
  executionProviderFromEnv,
  openSession,
  type ExecutionProvider,
  type ExecutionProviderChoice,
} from "./executionProvider";
import { readManifest, type LayerSpec, type Manifest } from "./manifest";
import { assertLength, ShapeError, shapeSize, type Tensor } from "./tensor";

/** Replacement weights by layer name; a missing layer uses its trained weight. */
export type LayerWeights = Readonly<Partial<Record<string, Float32Array>>>;

/** One layer's key [N, I, H, W] and value [N, O, H, W] for N latents. */
export interface LayerOutput {
  readonly key: Tensor;
  readonly value: Tensor;
}

/** One generator pass over a batch of N latents. */
export interface GeneratorOutput {
  /** [N, 3, R, R], in the manifest's `imageRange` ([-1, 1]). */
  readonly image: Tensor;
  /** Per layer: the conv input, [N, I, H, W]. */
  readonly keys: Readonly<Record<string, Tensor>>;
  /** Per layer: conv2d(key, weight), [N, O, H, W]. */
  readonly values: Readonly<Record<string, Tensor>>;
}

export interface LoadOptions {
  readonly logger: Logger;
  /** Defaults to REWRITE_EXECUTION_PROVIDER, else `auto`. */
  readonly executionProvider?: ExecutionProviderChoice;
  readonly intraOpThreads?: number;
}

/**
 * The shipped generator with rewritable weights as inputs: runs
 * `generator.onnx` for whole batches, `render_<layer>.onnx` for paste
 * previews and `features_<layer>.onnx` for the rewrite engine's keys and
 * values. Holds the trained weights and never changes them.
 */
export class GeneratorModel {
  private constructor(
    readonly directory: string,
    readonly manifest: Manifest,
    readonly executionProvider: ExecutionProvider,
    private readonly generator: InferenceSession,
    private readonly renderers: ReadonlyMap<string, InferenceSession>,
    private readonly featureGraphs: ReadonlyMap<string, InferenceSession>,
    private readonly trainedWeights: ReadonlyMap<string, Float32Array>,
  ) {}

  /** Loads `<directory>/manifest.json`, the weights and every ONNX session. */
  static async load(
    directory: string,
    options: LoadOptions,
  ): Promise<GeneratorModel> {
    const manifest = await readManifest(directory);
    const sessionOptions = {
      choice: options.executionProvider ?? executionProviderFromEnv(process.env),
      logger: options.logger.child({ component: "model", model: manifest.name }),
      ...(options.intraOpThreads === undefined
        ? {}
        : { intraOpThreads: options.intraOpThreads }),
    };
    const weights = new Map<string, Float32Array>();
    for (const layer of manifest.layers) {
      weights.set(layer.name, await readWeight(directory, layer));
    }
    const opened = await openSession(
      join(directory, manifest.generator),
      sessionOptions,
    );
    const renderers = new Map<string, InferenceSession>();
    const featureGraphs = new Map<string, InferenceSession>();
    const openSide = async (file: string, role: string) => {
      try {
        return (await openSession(join(directory, file), { ...sessionOptions, choice: opened.provider })).session;
      } catch (error) {
        const reason = (error as Error).message.split("\n")[0];
        throw new ModelError("manifest-invalid", `${role} ${file} cannot be loaded: ${reason}`);
      }
    };
    try {
      assertGraphMatches(opened.session, manifest);
      for (const layer of manifest.layers) {
        if (layer.render !== undefined) {
          renderers.set(layer.name, await openSide(layer.render.file, `${layer.name} render graph`));
        }
        if (layer.features !== undefined) {
          const graph = await openSide(layer.features.file, `${layer.name} feature graph`);
          featureGraphs.set(layer.name, graph);
          assertFeatureGraph(graph, layer, manifest.layers);
        }
      }
    } catch (error) {
      for (const session of [opened.session, ...renderers.values(), ...featureGraphs.values()]) {
        await session.release();
      }
      throw error;
    }
    return new GeneratorModel(
      directory,
      manifest,
      opened.provider,
      opened.session,
      renderers,
      featureGraphs,
      weights,
    );
  }

  /** The rewritable layers, coarse to fine. */
  get layers(): readonly LayerSpec[] {
    return this.manifest.layers;
  }

  /** The layer called `name`, or a ModelError("unknown-layer"). */
  layer(name: string): LayerSpec {
    const layer = this.manifest.layers.find((l) => l.name === name);
    if (!layer) {
      const known = this.manifest.layers.map((l) => l.name).join(", ");
      throw new ModelError(
        "unknown-layer",
        `no rewritable layer "${name}" (have ${known})`,
      );
    }
    return layer;
  }

  /** A fresh copy of the trained weight of `layer`, [O, I, kh, kw]. */
  originalWeight(layer: string): Float32Array {
    return this.trainedWeights.get(this.layer(layer).name)!.slice();
  }

  /**
   * Runs the generator on `z`, N latents of `zDim` values row by row, with
   * `weights` replacing the trained weights of the layers they name.
   */
  async run(z: Float32Array, weights: LayerWeights = {}): Promise<GeneratorOutput> {
    this.assertKnownLayers(weights);
    const feeds: Record<string, OrtTensor> = { z: this.latentTensor(z) };
    for (const layer of this.layers) {
      feeds[layer.weightInput] = this.weightTensor(layer, weights);
    }
    const result = await this.generator.run(feeds);
    const keys: Record<string, Tensor> = {};
    const values: Record<string, Tensor> = {};
    for (const layer of this.layers) {
      keys[layer.name] = fromOrt(result, layer.keyOutput);
      values[layer.name] = fromOrt(result, layer.valueOutput);
    }
    return { image: fromOrt(result, "image"), keys, values };
  }

  /**
   * The key and value of `layer` for N latents `z`: through the layer's
   * feature graph when the model has one (it stops at the layer, so it
   * costs a fraction of a whole pass), else through the whole generator.
   */
  async layerOutput(layer: string, z: Float32Array, weights: LayerWeights = {}): Promise<LayerOutput> {
    const spec = this.layer(layer);
    const graph = this.featureGraphs.get(spec.name);
    if (spec.features === undefined || graph === undefined) {
      const output = await this.run(z, weights);
      return { key: output.keys[spec.name]!, value: output.values[spec.name]! };
    }
    this.assertKnownLayers(weights);
    const feeds = { z: this.latentTensor(z), ...this.weightFeeds(spec.features.weights, weights) };
    const result = await graph.run(feeds);
    return { key: fromOrt(result, spec.keyOutput), value: fromOrt(result, spec.valueOutput) };
  }

  /**
   * The image generated from `value`, a value map [N, O, H, W] of `layer`,
   * through the rest of the generator. Of `weights`, only the layers after
   * `layer` matter; the others are accepted and ignored.
   */
  async render(
    layer: string,
    value: Tensor,
    weights: LayerWeights = {},
  ): Promise<Tensor> {
    const spec = this.layer(layer);
    const renderer = this.renderers.get(spec.name);
    if (spec.render === undefined || renderer === undefined) {
      throw new ModelError(
        "render-unavailable",
        `model ${this.manifest.name} has no render graph for ${layer}`,
      );
    }
    assertLength(`value of ${layer}`, value.data, value.shape);
    const [, ...perSample] = value.shape;
    if (perSample.join() !== spec.value.join()) {
      throw new ShapeError(`value of ${layer}`, ["N", ...spec.value], value.shape);
    }
    this.assertKnownLayers(weights);
    const feeds = {
      [spec.valueOutput]: new OrtTensor("float32", value.data, value.shape),
      ...this.weightFeeds(spec.render.weights, weights),
    };
    const result = await renderer.run(feeds);
    return fromOrt(result, "image");
  }

  /** Releases the native sessions; the model cannot run afterwards. */
  async release(): Promise<void> {
    await this.generator.release();
    for (const session of this.renderers.values()) await session.release();
    for (const session of this.featureGraphs.values()) await session.release();
  }

  private latentTensor(z: Float32Array): OrtTensor {
    const { zDim } = this.manifest;
    if (z.length === 0 || z.length % zDim !== 0) {
      throw new ShapeError("z (N latents of zDim values, flat)", [`N·${zDim}`], [z.length]);
    }
    return new OrtTensor("float32", z, [z.length / zDim, zDim]);
  }

  private assertKnownLayers(weights: LayerWeights): void {
    for (const name of Object.keys(weights)) this.layer(name);
  }

  /** Feeds for the weight inputs named (each a rewritable layer's `weightInput`). */
  private weightFeeds(inputs: readonly string[], weights: LayerWeights): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const input of inputs) {
      feeds[input] = this.weightTensor(this.layers.find((l) => l.weightInput === input)!, weights);
    }
    return feeds;
  }

  private weightTensor(layer: LayerSpec, weights: LayerWeights): OrtTensor {
    const weight = weights[layer.name] ?? this.trainedWeights.get(layer.name)!;
    assertLength(`weight of ${layer.name}`, weight, layer.weight);
    return new OrtTensor("float32", weight, layer.weight);
  }
}

async function readWeight(
  directory: string,
  layer: LayerSpec,
): Promise<Float32Array> {
  try {
    return await readFloat32File(
      join(directory, layer.weightFile),
      shapeSize(layer.weight),
    );
  } catch (error) {
    throw new ModelError(
      "weight-file-invalid",
      `weight of ${layer.name}: ${(error as Error).message}`,
    );
  }
}

function assertGraphMatches(session: InferenceSession, manifest: Manifest): void {
  const inputs = ["z", ...manifest.layers.map((l) => l.weightInput)];
  const outputs = ["image"];
  for (const l of manifest.layers) outputs.push(l.keyOutput, l.valueOutput);
  const missing = [
    ...inputs.filter((name) => !session.inputNames.includes(name)),
    ...outputs.filter((name) => !session.outputNames.includes(name)),
  ];
  if (missing.length > 0) {
    throw new ModelError(
      "manifest-invalid",
      `${manifest.generator} lacks the tensors the manifest names: ${missing.join(", ")}`,
    );
  }
}

/**
 * A feature graph takes z and the weight of its layer and of every earlier
 * rewritable layer (so an edit to any of them reaches its keys), and gives
 * the layer's key and value.
 */
function assertFeatureGraph(session: InferenceSession, layer: LayerSpec, layers: readonly LayerSpec[]): void {
  const named = layer.features!.weights;
  const upTo = layers.slice(0, layers.indexOf(layer) + 1).map((l) => l.weightInput);
  const problems = [
    ...["z", ...named].filter((name) => !session.inputNames.includes(name)).map((name) => `no input ${name}`),
    ...[layer.keyOutput, layer.valueOutput].filter((name) => !session.outputNames.includes(name)).map((name) => `no output ${name}`),
    ...named.filter((name) => !upTo.includes(name)).map((name) => `${name} is not this or an earlier layer's weight`),
    ...upTo.filter((name) => !named.includes(name)).map((name) => `${name} is not listed, so edits to it would be ignored`),
    ...session.inputNames
      .filter((name) => name !== "z" && !named.includes(name))
      .map((name) => `input ${name} is not named in the manifest`),
  ];
  if (problems.length > 0) {
    throw new ModelError(
      "manifest-invalid",
      `${layer.features!.file} does not match the manifest: ${[...new Set(problems)].join("; ")}`,
    );
  }
}

function fromOrt(result: InferenceSession.ReturnType, name: string): Tensor {
  const tensor = result[name];
  if (!tensor || tensor.type !== "float32") {
    throw new ModelError("manifest-invalid", `output ${name} is not float32`);
  }
  return { data: tensor.data as Float32Array, shape: tensor.dims };
}
