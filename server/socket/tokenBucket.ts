/**
 * A token bucket: `capacity` tokens, refilled at `refillPerSecond`; each
 * message takes one. Bursts up to the capacity pass, sustained floods are
 * cut to the refill rate.
 */
export interface TokenBucketOptions {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export class TokenBucket {
  private readonly options: TokenBucketOptions;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions, now = Date.now()) {
    this.options = options;
    this.tokens = options.capacity;
    this.last = now;
  }

  /** Takes a token if one is available; returns whether it did. */
  take(now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + elapsed * this.options.refillPerSecond,
    );
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
