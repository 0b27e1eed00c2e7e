/**
 * The 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998), seeded
 * the way numpy's legacy `RandomState(seed)` seeds it: `init_genrand(seed)`.
 *
 * Each instance owns its 624-word state; there is no shared generator.
 */

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
/** Multiplier of the linear recurrence that spreads the seed over the state. */
const SEED_MULTIPLIER = 1812433253;

export class Mt19937 {
  private readonly state = new Uint32Array(STATE_SIZE);
  private position = STATE_SIZE;

  /** `seed` is an unsigned 32-bit integer, as numpy requires. */
  constructor(seed: number) {
    this.state[0] = seed >>> 0;
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = this.state[i - 1]!;
      this.state[i] =
        Math.imul(SEED_MULTIPLIER, previous ^ (previous >>> 30)) + i;
    }
  }

  /** The next tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.position >= STATE_SIZE) this.twist();
    let y = this.state[this.position++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 words of state at once. */
  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < STATE_SIZE; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % STATE_SIZE]! & LOWER_MASK);
      const next = mt[(i + SHIFT_SIZE) % STATE_SIZE]! ^ (y >>> 1);
      mt[i] = y & 1 ? next ^ MATRIX_A : next;
    }
    this.position = 0;
  }
}
