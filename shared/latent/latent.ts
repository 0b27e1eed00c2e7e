import { RandomState } from "./randomState";

/**
 * The latent vector of image `seed`:
 * `numpy.random.RandomState(seed).standard_normal(zDim).astype(float32)`.
 * The same seed gives the same image in Python, on the server and in the
 * browser.
 */
export function latentForSeed(seed: number, zDim: number): Float32Array {
  assertDimension(zDim);
  return Float32Array.from(new RandomState(seed).standardNormals(zDim));
}

/**
 * The latents of several seeds stacked row by row: an `N×zDim` row-major
 * batch, row `n` being `latentForSeed(seeds[n], zDim)`.
 */
export function latentBatch(
  seeds: readonly number[],
  zDim: number,
): Float32Array {
  assertDimension(zDim);
  const batch = new Float32Array(seeds.length * zDim);
  seeds.forEach((seed, row) => batch.set(latentForSeed(seed, zDim), row * zDim));
  return batch;
}

function assertDimension(zDim: number): void {
  if (!Number.isInteger(zDim) || zDim <= 0) {
    throw new RangeError(`zDim must be a positive integer, got ${zDim}`);
  }
}
