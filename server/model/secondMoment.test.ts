import { describe, expect, it } from "vitest";

import { RandomState } from "../../shared/latent";

import { SecondMomentAccumulator } from "./secondMoment";
import { ShapeError, type Tensor } from "./tensor";

function randomKeys(shape: [number, number, number, number], seed: number): Tensor {
  const state = new RandomState(seed);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => state.standardNormal());
  return { data, shape };
}

/** Σ over samples and locations of k kᵀ / count, by the definition. */
function naiveMoment(batches: readonly Tensor[]): Float64Array {
  const [, I = 0, H = 0, W = 0] = batches[0]!.shape;
  const L = H * W;
  const sum = new Float64Array(I * I);
  let count = 0;
  for (const { data, shape } of batches) {
    for (let n = 0; n < shape[0]!; n++) {
      for (let l = 0; l < L; l++) {
        for (let i = 0; i < I; i++) {
          for (let j = 0; j < I; j++) {
            sum[i * I + j]! += data[(n * I + i) * L + l]! * data[(n * I + j) * L + l]!;
          }
        }
        count++;
      }
    }
  }
  return sum.map((s) => s / count);
}

function maxRelativeDifference(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  return worst / scale;
}

describe("SecondMomentAccumulator", () => {
  it("equals the definition for channel counts on and off the 4-block grid", () => {
    for (const channels of [1, 4, 6, 7, 9, 12]) {
      const batches = [randomKeys([2, channels, 3, 5], channels), randomKeys([1, channels, 3, 5], 100 + channels)];
      const accumulator = new SecondMomentAccumulator(channels);
      batches.forEach((batch) => accumulator.add(batch));
      expect(maxRelativeDifference(accumulator.moment(), naiveMoment(batches))).toBeLessThan(1e-12);
      expect(accumulator.samples).toBe(3);
      expect(accumulator.vectors).toBe(45);
    }
  });

  it("returns a symmetric matrix with a non-negative diagonal", () => {
    const accumulator = new SecondMomentAccumulator(10);
    accumulator.add(randomKeys([3, 10, 4, 4], 5));
    const C = accumulator.moment();
    for (let i = 0; i < 10; i++) {
      expect(C[i * 10 + i]).toBeGreaterThanOrEqual(0);
      for (let j = 0; j < 10; j++) expect(C[i * 10 + j]).toBe(C[j * 10 + i]);
    }
  });

  it("does not depend on how the samples are split into batches", () => {
    const all = randomKeys([4, 8, 2, 3], 9);
    const whole = new SecondMomentAccumulator(8);
    whole.add(all);
    const split = new SecondMomentAccumulator(8);
    const half = all.data.length / 2;
    split.add({ data: all.data.subarray(0, half), shape: [2, 8, 2, 3] });
    split.add({ data: all.data.subarray(half), shape: [2, 8, 2, 3] });
    expect(split.moment()).toEqual(whole.moment());
  });

  it("refuses key maps of another width or length, and an empty average", () => {
    const accumulator = new SecondMomentAccumulator(4);
    expect(() => accumulator.add(randomKeys([1, 5, 2, 2], 1))).toThrow(ShapeError);
    expect(() => accumulator.add({ data: new Float32Array(15), shape: [1, 4, 2, 2] })).toThrow(ShapeError);
    expect(accumulator.samples).toBe(0);
    expect(() => accumulator.moment()).toThrow(/no key vectors/);
    expect(() => new SecondMomentAccumulator(0)).toThrow(RangeError);
  });
});
