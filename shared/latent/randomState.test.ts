import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { latentBatch, latentForSeed } from "./latent";
import { Mt19937 } from "./mt19937";
import { InvalidSeedError, RandomState } from "./randomState";
import numpy from "./numpyVectors.json";

/**
 * Vectors written by numpy 1.24 (see numpyVectors.json, `generatedBy`).
 * V8's Math.log and glibc's log differ in the last bit for some arguments,
 * so about 3% of normal doubles differ from numpy's by one or two ulps
 * (measured: 30961 of 1e6, max relative 4.4e-16). Doubles are therefore
 * compared to 1e-15 relative; float32 latents must agree exactly.
 */
const DOUBLE_TOLERANCE = 1e-15;

function expectDoublesClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => {
    const error = Math.abs(actual[i]! - value);
    expect(error).toBeLessThanOrEqual(DOUBLE_TOLERANCE * Math.abs(value));
  });
}

const seedsOf = (table: Record<string, unknown>) =>
  Object.keys(table).map(Number);

describe("Mt19937", () => {
  it("emits numpy's raw 32-bit words for every seeded state", () => {
    for (const seed of seedsOf(numpy.rawUint32)) {
      const twister = new Mt19937(seed);
      const words = numpy.rawUint32[`${seed}` as keyof typeof numpy.rawUint32];
      expect(words.map(() => twister.nextUint32())).toEqual(words);
    }
  });

  it("starts seed 1 with the words quoted in ALGORITHM.md", () => {
    const twister = new Mt19937(1);
    expect([twister.nextUint32(), twister.nextUint32()]).toEqual([
      1791095845, 4282876139,
    ]);
  });
});

describe("RandomState", () => {
  it("draws random_sample doubles bit for bit", () => {
    for (const [seed, values] of Object.entries(numpy.randomSample)) {
      const state = new RandomState(Number(seed));
      expect(values.map(() => state.randomSample())).toEqual(values);
    }
  });

  it("draws numpy's standard_normal doubles to the last ulp or two", () => {
    for (const [seed, values] of Object.entries(numpy.standardNormal)) {
      expectDoublesClose(new RandomState(Number(seed)).standardNormals(6), values);
    }
  });

  it("matches the ALGORITHM.md vectors for seeds 1 and 0", () => {
    expectDoublesClose(new RandomState(1).standardNormals(4), [
      1.6243453636632417, -0.6117564136500754, -0.5281717522634557,
      -1.0729686221561705,
    ]);
    expectDoublesClose(new RandomState(0).standardNormals(2), [
      1.764052345967664, 0.4001572083672233,
    ]);
  });

  it("stays in step past several regenerations of the twister state", () => {
    const long = numpy.standardNormalLong;
    const values = new RandomState(long.seed).standardNormals(long.count);
    expectDoublesClose(long.indices.map((i) => values[i]!), long.values);
    expect(values.reduce((sum, v) => sum + v, 0)).toBeCloseTo(long.sum, 9);
  });

  it("reproduces image 441 of the paper's RandomState(1) 1000×512 set", () => {
    const values = new RandomState(1).standardNormals(441 * 512 + 3);
    expectDoublesClose(values.subarray(441 * 512), [
      -0.6146965281421312, -0.6239086266307703, -1.3215219450543227,
    ]);
  });

  it("keeps the cached second normal across calls, as numpy does", () => {
    const { seed, first, second } = numpy.cachedAcrossCalls;
    const state = new RandomState(seed);
    expectDoublesClose(state.standardNormals(3), first);
    expectDoublesClose(state.standardNormals(2), second);
  });

  it("refuses seeds numpy refuses", () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => new RandomState(seed)).toThrow(InvalidSeedError);
    }
  });
});

describe("latentForSeed", () => {
  it("is numpy's standard_normal(zDim) rounded to float32", () => {
    for (const [seed, values] of Object.entries(numpy.latents128)) {
      expect(Array.from(latentForSeed(Number(seed), 128))).toEqual(values);
    }
  });

  it("equals numpy's float32 latents of seeds 0..9999 byte for byte", () => {
    const seeds = Array.from({ length: 10000 }, (_, i) => i);
    const batch = latentBatch(seeds, 128);
    const bytes = new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(
      numpy.latents128Seeds0To9999Sha256,
    );
  });

  it("batches latents row by row in seed order", () => {
    const batch = latentBatch([9999, 0], 128);
    expect(batch.length).toBe(256);
    expect(batch.subarray(0, 128)).toEqual(latentForSeed(9999, 128));
    expect(batch.subarray(128)).toEqual(latentForSeed(0, 128));
  });

  it("rejects a non-positive dimension", () => {
    expect(() => latentForSeed(0, 0)).toThrow(RangeError);
    expect(() => latentBatch([0], 2.5)).toThrow(RangeError);
  });
});
