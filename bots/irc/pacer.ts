/**
 * A paced FIFO queue (token bucket): up to `burst` lines at once, then one every `intervalMs`,
 * so a long copy or a busy room never trips the server's flood protection (which would
 * disconnect the bot). One per connection.
 */

export interface PaceOptions {
  /** Lines that may go out back to back after a quiet period. */
  readonly burst: number;
  /** Steady rate: one line per this many milliseconds. */
  readonly intervalMs: number;
}

interface Job {
  run: () => void;
  reject: (err: unknown) => void;
}

export class Pacer {
  private tokens: number;
  private last: number;
  private readonly queue: Job[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: PaceOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = opts.burst;
    this.last = now();
  }

  /** Jobs waiting for their turn. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queue `fns` back to back (nothing else is interleaved); resolves with their results in order. */
  runAll<T>(fns: ReadonlyArray<() => T>): Promise<T[]> {
    return Promise.all(fns.map((fn) => this.enqueue(fn)));
  }

  run<T>(fn: () => T): Promise<T> {
    return this.enqueue(fn);
  }

  /** Reject everything still waiting (disconnect, stop). */
  cancel(err: unknown): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  private enqueue<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run: () => {
          try {
            resolve(fn());
          } catch (err) {
            reject(err);
          }
        },
        reject,
      });
      this.pump();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + (t - this.last) / this.opts.intervalMs);
    this.last = t;
  }

  private pump(): void {
    if (this.timer) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()?.run();
    }
    if (this.queue.length > 0) {
      const wait = Math.ceil((1 - this.tokens) * this.opts.intervalMs);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }
}
