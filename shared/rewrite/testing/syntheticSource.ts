/**
 * A small two-layer "generator" in plain TypeScript, for tests and
 * benchmarks of the rewrite engine without an ONNX model.
 *
 * Layer `a`: keys are rectified noise per seed, plus a planted "object"
 * (a fixed rare key pattern on a 2×2 block of cells) in every third seed;
 * values = conv(keys, W_a). Layer `b`: keys = relu(values of `a` under the
 * current weights), values = conv(keys, W_b). Seeds from 9000 on have
 * all-zero keys in the top half of layer `a` (a blank sky).
 */
import { conv2dSame } from "../../linalg/conv";
import type { Tensor } from "../../linalg/tensor";
import type { FeatureSource, LayerFeatures, LayerShape, LayerWeights } from "../featureSource";
import { SecondMomentAccumulator } from "../secondMoment";
import type { Box } from "../mask";

export const SYNTHETIC_SIZE = { channelsA: 12, channelsB: 10, outputsB: 8, cells: 8, image: 32 } as const;

/** Seeds from here on have blank (zero) keys in the top half. */
export const BLANK_TOP_FROM = 9000;

/** Deterministic uniform numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normalStream(seed: number): () => number {
  const u = uniformStream(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Whether a seed carries the planted object. */
export function hasObject(seed: number): boolean {
  return seed % 3 === 0;
}

/** The object's cells (half-open) on the 8×8 map of layer `a`. */
export function objectCells(seed: number): Box {
  const top = 4 + (seed * 7) % 3;
  const left = 1 + (seed * 5) % 5;
  return { top, left, bottom: top + 2, right: left + 2 };
}

/** A cell box scaled to image pixels. */
export function cellsToPixels(box: Box): Box {
  const f = SYNTHETIC_SIZE.image / SYNTHETIC_SIZE.cells;
  return { top: box.top * f, left: box.left * f, bottom: box.bottom * f, right: box.right * f };
}

const OBJECT_PATTERN = [6, 5, 0, 4, 0, 0, 0, 0, 0, 0, 0, 2];

export class SyntheticSource implements FeatureSource {
  readonly layers: readonly LayerShape[];
  readonly imageSize = [SYNTHETIC_SIZE.image, SYNTHETIC_SIZE.image] as const;
  private readonly weights: Record<string, Float32Array>;
  private readonly moments = new Map<string, Tensor<Float64Array>>();

  constructor(weightSeed = 7) {
    const { channelsA: ia, channelsB: ib, outputsB: ob, cells: n } = SYNTHETIC_SIZE;
    this.layers = [
      { name: "a", weight: [ib, ia, 3, 3], key: [ia, n, n], value: [ib, n, n] },
      { name: "b", weight: [ob, ib, 3, 3], key: [ib, n, n], value: [ob, n, n] },
    ];
    const rand = normalStream(weightSeed);
    this.weights = {
      a: Float32Array.from({ length: ib * ia * 9 }, () => rand() * 0.3),
      b: Float32Array.from({ length: ob * ib * 9 }, () => rand() * 0.3),
    };
  }

  originalWeight(layer: string): Float32Array {
    const w = this.weights[layer];
    if (!w) throw new RangeError(`unknown layer ${layer}`);
    return w;
  }

  async features(layer: string, seeds: readonly number[], weights: LayerWeights): Promise<LayerFeatures> {
    const per = seeds.map((seed) => this.image(layer, seed, weights));
    return { keys: stack(per.map((p) => p.keys)), values: stack(per.map((p) => p.values)) };
  }

  /** E[k kᵀ] over seeds 1000..1299 under the original weights. */
  async secondMoment(layer: string): Promise<Tensor> {
    let c = this.moments.get(layer);
    if (!c) {
      const shape = this.layers.find((l) => l.name === layer)!;
      const acc = new SecondMomentAccumulator(shape.key[0]!);
      for (let seed = 1000; seed < 1300; seed++) {
        const { keys } = this.image(layer, seed, {});
        acc.add({ data: keys.data, shape: [1, ...keys.shape] });
      }
      c = acc.result();
      this.moments.set(layer, c);
    }
    return c;
  }

  private image(layer: string, seed: number, weights: LayerWeights): { keys: Tensor; values: Tensor } {
    const shape = this.layers.find((l) => l.name === layer);
    if (!shape) throw new RangeError(`unknown layer ${layer}`);
    const a = this.layers[0]!;
    const keysA = planeKeys(seed);
    if (layer === "a") return { keys: keysA, values: this.conv("a", keysA, weights) };
    const valuesA = this.conv("a", keysA, weights);
    const keysB = { data: valuesA.data.map((v) => Math.max(v, 0)), shape: [a.value[0]!, a.value[1]!, a.value[2]!] };
    return { keys: keysB, values: this.conv("b", keysB, weights) };
  }

  private conv(layer: string, keys: Tensor, weights: LayerWeights): Tensor {
    const shape = this.layers.find((l) => l.name === layer)!;
    const w = weights[layer] ?? this.originalWeight(layer);
    return conv2dSame(keys, { data: w, shape: shape.weight });
  }
}

function planeKeys(seed: number): Tensor<Float64Array> {
  const { channelsA: i, cells: n } = SYNTHETIC_SIZE;
  const rand = normalStream(seed * 2654435761 + 17);
  const keys = new Float64Array(i * n * n);
  for (let c = 0; c < i; c++) {
    for (let p = 0; p < n * n; p++) keys[c * n * n + p] = Math.max(0, rand() + (c < 6 ? 0.3 : -0.2));
  }
  if (hasObject(seed)) {
    const box = objectCells(seed);
    for (let y = box.top; y < box.bottom; y++) {
      for (let x = box.left; x < box.right; x++) {
        OBJECT_PATTERN.forEach((v, c) => (keys[c * n * n + y * n + x]! += v));
      }
    }
  }
  if (seed >= BLANK_TOP_FROM) {
    for (let c = 0; c < i; c++) keys.fill(0, c * n * n, c * n * n + (n * n) / 2);
  }
  return { data: keys, shape: [i, n, n] };
}

function stack(tensors: readonly Tensor[]): Tensor<Float32Array> {
  const first = tensors[0]!;
  const size = first.data.length;
  const data = new Float32Array(size * tensors.length);
  tensors.forEach((t, k) => data.set(t.data, k * size));
  return { data, shape: [tensors.length, ...first.shape] };
}
