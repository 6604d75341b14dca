/** Token buckets: one per WebSocket connection, and one per client address for HTTP calls. */

export interface Rate {
  /** burst size */
  readonly capacity: number;
  /** tokens added per second */
  readonly perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.capacity;
    this.last = now();
  }

  /** Take one token; false when the bucket is empty (the caller refuses the action). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate.capacity, this.tokens + ((t - this.last) / 1000) * this.rate.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Buckets by key (client address), forgotten wholesale when too many are held. */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: Rate,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = new TokenBucket(this.rate);
      this.buckets.set(key, b);
    }
    return b.take();
  }
}
