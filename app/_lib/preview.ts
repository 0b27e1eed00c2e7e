import type * as Ort from "onnxruntime-web";
import { latentBatch } from "@/shared/latent";
import { rgbaFromImageTensor } from "./image";
import { modelFileUrl, parseManifest, weightLength, type ModelManifest } from "./manifest";

/**
 * The generator running in the browser (onnxruntime-web, single-threaded
 * WASM), for previews that appear before the server's authoritative images.
 *
 * One instance loads the model once (graph, manifest and original weights)
 * and then renders any seeds with any weights. A layer's feature graph
 * (keys and values only, stopping at the layer) is fetched the first time
 * the rewrite engine asks for that layer. ORT is loaded from our own /ort/
 * folder (copied from node_modules by scripts/copy-ort.mjs), never from a
 * CDN. Runs are queued: a WASM session runs one batch at a time.
 */

export type LayerWeights = Readonly<Record<string, Float32Array>>;

/** Key or value map of one layer: data N×C×H×W row-major. */
export interface FeatureMap {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number, number];
}

const ORT_BASE = "/ort/";

async function loadOrt(): Promise<typeof Ort> {
  const url = `${ORT_BASE}ort.wasm.min.mjs`;
  const ort = (await import(
    /* webpackIgnore: true */ /* turbopackIgnore: true */ url
  )) as typeof Ort;
  ort.env.wasm.wasmPaths = ORT_BASE;
  ort.env.wasm.numThreads = 1;
  // Run inference in ORT's proxy worker so long batches (estimating key
  // statistics, search) never freeze the page.
  ort.env.wasm.proxy = true;
  return ort;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`could not load ${url}: HTTP ${response.status}`);
  }
  return response.arrayBuffer();
}

export class GeneratorPreview {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly featureGraphs = new Map<string, Promise<Ort.InferenceSession>>();

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly manifest: ModelManifest,
    private readonly originals: LayerWeights,
  ) {}

  /** Loads model `name` from /api/models/<name>/…: graph, manifest, weights. */
  static async load(name: string): Promise<GeneratorPreview> {
    const manifest = parseManifest(await (await fetch(modelFileUrl(name, "manifest.json"))).json());
    const [ort, graph, ...weights] = await Promise.all([
      loadOrt(),
      fetchBytes(modelFileUrl(name, manifest.generator)),
      ...manifest.layers.map((layer) => fetchBytes(modelFileUrl(name, layer.weightFile))),
    ]);
    const originals: Record<string, Float32Array> = {};
    manifest.layers.forEach((layer, i) => {
      const data = new Float32Array(weights[i]!);
      if (data.length !== weightLength(layer)) {
        throw new RangeError(
          `${layer.weightFile} holds ${data.length} floats, expected ${weightLength(layer)}`,
        );
      }
      originals[layer.name] = data;
    });
    const session = await ort.InferenceSession.create(new Uint8Array(graph), {
      executionProviders: ["wasm"],
    });
    return new GeneratorPreview(ort, session, manifest, originals);
  }

  /** The trained weight of a layer (do not modify). */
  originalWeight(layer: string): Float32Array {
    const weight = this.originals[layer];
    if (!weight) throw new RangeError(`model has no layer "${layer}"`);
    return weight;
  }

  /**
   * RGBA images (S×S×4 bytes each) of `seeds`, with `weights` replacing the
   * original weight of the layers it names.
   */
  async render(
    seeds: readonly number[],
    weights: LayerWeights = {},
  ): Promise<Uint8ClampedArray[]> {
    const out = await this.run(seeds, weights, ["image"]);
    const image = out.image!.data as Float32Array;
    const size = this.manifest.resolution;
    return seeds.map((_, i) => rgbaFromImageTensor(image, i, size));
  }

  /**
   * Key and value maps of `layers` for `seeds` under `weights`: keys N×I×H×W
   * (the conv inputs) and values N×O×H×W (the conv outputs).
   */
  async features(
    seeds: readonly number[],
    layers: readonly string[],
    weights: LayerWeights = {},
  ): Promise<Record<string, { keys: FeatureMap; values: FeatureMap }>> {
    const specs = layers.map((name) => {
      const spec = this.manifest.layers.find((l) => l.name === name);
      if (!spec) throw new RangeError(`model has no layer "${name}"`);
      return spec;
    });
    const names = specs.flatMap((spec) => [spec.keyOutput, spec.valueOutput]);
    const single = specs.length === 1 ? specs[0]!.features : undefined;
    // A feature graph that cannot be fetched or opened falls back to the whole generator.
    const graph = single ? await this.featureGraph(specs[0]!.name, single.file).catch(() => null) : null;
    const out =
      single && graph
        ? await this.run(seeds, weights, names, graph, single.weights)
        : await this.run(seeds, weights, names);
    const n = seeds.length;
    const result: Record<string, { keys: FeatureMap; values: FeatureMap }> = {};
    for (const spec of specs) {
      const [i, h, w] = spec.key as [number, number, number];
      const [o, vh, vw] = spec.value as [number, number, number];
      result[spec.name] = {
        keys: { data: out[spec.keyOutput]!.data as Float32Array, shape: [n, i, h, w] },
        values: { data: out[spec.valueOutput]!.data as Float32Array, shape: [n, o, vh, vw] },
      };
    }
    return result;
  }

  /**
   * The feature graph of `layer`, fetched once (outside the queue, so a
   * download holds up no run) and opened as a queued task.
   */
  private featureGraph(layer: string, file: string): Promise<Ort.InferenceSession> {
    let graph = this.featureGraphs.get(layer);
    if (!graph) {
      graph = fetchBytes(modelFileUrl(this.manifest.name, file)).then((bytes) =>
        this.enqueue(() => this.ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ["wasm"] })),
      );
      graph.catch(() => this.featureGraphs.delete(layer));
      this.featureGraphs.set(layer, graph);
    }
    return graph;
  }

  /** Runs `work` after everything queued before it. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const task = this.queue.then(work);
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * Runs the whole generator, or `graph` (a feature graph) when given: it
   * takes z and only the weights `inputs` names.
   */
  private run(
    seeds: readonly number[],
    weights: LayerWeights,
    outputs: string[],
    graph?: Ort.InferenceSession,
    inputs?: readonly string[],
  ): Promise<Ort.InferenceSession.ReturnType> {
    return this.enqueue(async () => {
      const { ort, manifest } = this;
      const session = graph ?? this.session;
      const feeds: Record<string, Ort.Tensor> = {
        z: new ort.Tensor("float32", latentBatch(seeds, manifest.zDim), [
          seeds.length,
          manifest.zDim,
        ]),
      };
      for (const layer of manifest.layers) {
        if (inputs && !inputs.includes(layer.weightInput)) continue;
        // A copy: the proxy worker takes (detaches) the buffers it is given.
        const data = (weights[layer.name] ?? this.originalWeight(layer.name)).slice();
        feeds[layer.weightInput] = new ort.Tensor("float32", data, layer.weight);
      }
      return session.run(feeds, outputs);
    });
  }
}
