import { ShapeError, type Tensor } from "./tensor";

/** Rows handled together by the register-blocked kernel. */
const BLOCK = 4;

/**
 * The uncentred second moment C = E[k kᵀ] of key vectors (ALGORITHM.md
 * §1.2), accumulated in float64 over every spatial location of every key
 * map added. Pure TypeScript: runs in Node and in the browser.
 */
export class SecondMomentAccumulator {
  /** Σ k kᵀ, I×I row-major; only the upper triangle is kept up to date. */
  private readonly sum: Float64Array;
  private vectorCount = 0;
  private sampleCount = 0;
  private scratch = new Float64Array(0);

  constructor(readonly channels: number) {
    if (!Number.isInteger(channels) || channels <= 0) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    this.sum = new Float64Array(channels * channels);
  }

  /** Key maps added so far (images, not locations). */
  get samples(): number {
    return this.sampleCount;
  }

  /** Key vectors added so far: samples × H × W. */
  get vectors(): number {
    return this.vectorCount;
  }

  /** Adds every location of a batch of key maps, [N, I, H, W]. */
  add(keys: Tensor): void {
    const [count = 0, channels = 0, ...spatial] = keys.shape;
    const locations = spatial.reduce((a, b) => a * b, 1);
    const perSample = channels * locations;
    if (channels !== this.channels || keys.data.length !== count * perSample) {
      throw new ShapeError("key maps", ["N", this.channels, ...spatial], keys.shape);
    }
    if (this.scratch.length < perSample) this.scratch = new Float64Array(perSample);
    const rows = this.scratch.subarray(0, perSample);
    for (let n = 0; n < count; n++) {
      rows.set(keys.data.subarray(n * perSample, (n + 1) * perSample));
      addGram(this.sum, rows, channels, locations);
    }
    this.sampleCount += count;
    this.vectorCount += count * locations;
  }

  /** C = Σ k kᵀ / (number of vectors), I×I row-major and symmetric. */
  moment(): Float64Array {
    if (this.vectorCount === 0) {
      throw new RangeError("no key vectors were added");
    }
    const I = this.channels;
    const moment = new Float64Array(I * I);
    for (let i = 0; i < I; i++) {
      for (let j = i; j < I; j++) {
        const value = this.sum[i * I + j]! / this.vectorCount;
        moment[i * I + j] = value;
        moment[j * I + i] = value;
      }
    }
    return moment;
  }
}

/**
 * sum[i, j] += Σ_l K[i, l]·K[j, l] for i ≤ j, where K is `channels` rows of
 * `length` values (one key map, channel-major). Blocks of 4×4 row pairs keep
 * 16 running dot products in registers: 8 loads feed 16 multiply-adds.
 */
function addGram(
  sum: Float64Array,
  K: Float64Array,
  channels: number,
  length: number,
): void {
  const full = channels - (channels % BLOCK);
  for (let i = 0; i < full; i += BLOCK) {
    for (let j = i; j < full; j += BLOCK) addBlock(sum, K, channels, length, i, j);
  }
  for (let i = 0; i < channels; i++) {
    for (let j = Math.max(i, full); j < channels; j++) {
      sum[i * channels + j]! += dot(K, i * length, j * length, length);
    }
  }
}

function addBlock(
  sum: Float64Array,
  K: Float64Array,
  channels: number,
  length: number,
  i: number,
  j: number,
): void {
  const a0 = i * length, a1 = a0 + length, a2 = a1 + length, a3 = a2 + length;
  const b0 = j * length, b1 = b0 + length, b2 = b1 + length, b3 = b2 + length;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
  let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
  let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let l = 0; l < length; l++) {
    const x0 = K[a0 + l]!, x1 = K[a1 + l]!, x2 = K[a2 + l]!, x3 = K[a3 + l]!;
    const y0 = K[b0 + l]!, y1 = K[b1 + l]!, y2 = K[b2 + l]!, y3 = K[b3 + l]!;
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
  }
  const r0 = i * channels + j, r1 = r0 + channels, r2 = r1 + channels, r3 = r2 + channels;
  sum[r0]! += s00; sum[r0 + 1]! += s01; sum[r0 + 2]! += s02; sum[r0 + 3]! += s03;
  sum[r1]! += s10; sum[r1 + 1]! += s11; sum[r1 + 2]! += s12; sum[r1 + 3]! += s13;
  sum[r2]! += s20; sum[r2 + 1]! += s21; sum[r2 + 2]! += s22; sum[r2 + 3]! += s23;
  sum[r3]! += s30; sum[r3 + 1]! += s31; sum[r3 + 2]! += s32; sum[r3 + 3]! += s33;
}

function dot(K: Float64Array, a: number, b: number, length: number): number {
  let total = 0;
  for (let l = 0; l < length; l++) total += K[a + l]! * K[b + l]!;
  return total;
}
