import { Mt19937 } from "./mt19937";

/** Thrown for a seed numpy's `RandomState` would refuse. */
export class InvalidSeedError extends RangeError {
  readonly code = "invalid-seed" as const;

  constructor(readonly seed: number) {
    super(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    this.name = "InvalidSeedError";
  }
}

const MAX_SEED = 0xffffffff;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/**
 * A replica of numpy's legacy `numpy.random.RandomState(seed)` for the two
 * draws this project needs: `random_sample` and `standard_normal`
 * (ALGORITHM.md §2.1). Uniform doubles match numpy bit for bit. Normal
 * doubles match to the last ulp or two: `Math.log` is not glibc's `log`, and
 * about 3% of values differ in their final bits. Rounded to float32, as the
 * latents are, they agree exactly (checked for seeds 0..9999).
 */
export class RandomState {
  private readonly twister: Mt19937;
  /** The second value of the last polar-method pair, not yet returned. */
  private cachedNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new InvalidSeedError(seed);
    }
    this.twister = new Mt19937(seed);
  }

  /** A double uniform on [0, 1) with 53 random bits (two 32-bit draws). */
  randomSample(): number {
    const high = this.twister.nextUint32() >>> 5;
    const low = this.twister.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  /**
   * A standard normal double by the Marsaglia polar method. Each accepted
   * pair yields two values: `f·x2` is returned now and `f·x1` on the next
   * call, exactly as numpy's legacy `gauss` does.
   */
  standardNormal(): number {
    if (this.cachedNormal !== undefined) {
      const value = this.cachedNormal;
      this.cachedNormal = undefined;
      return value;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedNormal = f * x1;
    return f * x2;
  }

  /** The next `count` standard normals, like `standard_normal(count)`. */
  standardNormals(count: number): Float64Array {
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = this.standardNormal();
    return values;
  }
}
