/**
 * Lanes: the executor both queues share. One lane per target room runs its jobs one at a time
 * in order; lanes run concurrently, so a room waiting out a 429 delays only itself. A transient
 * failure is retried with exponential backoff (at least the platform's retry-after); after
 * `maxAttempts`, or at once for a permanent failure, the job is dead-lettered. Each job ends in
 * exactly one `onDone(entry, outcome)`, which the queue turns into an acknowledgement; the next
 * job of the lane starts while that acknowledgement is in flight.
 */
import { describeError, isTransient, provesNotDone, retryAfterOf } from '../errors.js';
import type { DeliveryJob } from './job.js';

/** What the handler knows of earlier attempts at a job. */
export interface JobAttempt {
  /**
   * An earlier attempt may have done (part of) the job unbeknown to us: the job was read back
   * after a stop or crash, or an attempt failed in a way that does not prove the platform did
   * nothing (a timeout, a 5xx; a rate limit does prove it).
   */
  readonly uncertain: boolean;
}

export type JobHandler = (job: DeliveryJob, attempt: JobAttempt) => Promise<void>;

export interface LaneOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly onDone: (entry: string, job: DeliveryJob, outcome: { dead?: { error: string; attempts: number } }) => Promise<void>;
  readonly onRetry?: (job: DeliveryJob, err: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A job's kind (its target platform), for `sizeOf`. */
  readonly kindOf?: (job: DeliveryJob) => string;
}

/** How a job ended: delivered, or given up (dead-lettered). */
export type Outcome = Parameters<LaneOptions['onDone']>[2];

interface Item {
  readonly entry: string;
  readonly job: DeliveryJob;
  readonly recovered: boolean;
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    // The listener goes when the timer fires: one signal serves every retry of a long outage.
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export class Lanes {
  private readonly lanes = new Map<string, Item[]>();
  private readonly running = new Set<Promise<void>>();
  private readonly entries = new Set<string>();
  private readonly kinds = new Map<string, number>();
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly handler: JobHandler,
    private readonly opts: LaneOptions,
  ) {}

  /** Jobs held in memory (queued in lanes or running). */
  get size(): number {
    return this.entries.size;
  }

  /** Jobs of one kind held in memory. */
  sizeOf(kind: string): number {
    return this.kinds.get(kind) ?? 0;
  }

  has(entry: string): boolean {
    return this.entries.has(entry);
  }

  /** Queue a job; `recovered` when an earlier run may have started it (read back after a crash or takeover). */
  push(entry: string, job: DeliveryJob, recovered = false): void {
    if (this.stopped || this.entries.has(entry)) return;
    this.entries.add(entry);
    this.count(job, 1);
    const lane = this.lanes.get(job.target);
    if (lane) {
      lane.push({ entry, job, recovered });
      return;
    }
    this.lanes.set(job.target, [{ entry, job, recovered }]);
    const run = this.runLane(job.target).finally(() => {
      this.running.delete(run);
      if (this.running.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    this.running.add(run);
  }

  private async runLane(target: string): Promise<void> {
    const lane = this.lanes.get(target);
    const acks = new Set<Promise<void>>();
    while (lane && lane.length > 0 && !this.stopped) {
      const item = lane[0] as Item;
      const outcome = await this.runJob(item);
      lane.shift();
      if (!outcome) {
        this.forget(item);
        continue;
      }
      // The job is done and its copy recorded: the next job of the lane starts while the
      // acknowledgement is on its way (it only marks the job done, so order is unaffected).
      const ack: Promise<void> = this.acknowledge(item.entry, item.job, outcome).finally(() => {
        acks.delete(ack);
        this.forget(item);
      });
      acks.add(ack);
    }
    this.lanes.delete(target);
    await Promise.all(acks);
  }

  private forget(item: Item): void {
    if (this.entries.delete(item.entry)) this.count(item.job, -1);
  }

  private count(job: DeliveryJob, delta: number): void {
    const kind = this.opts.kindOf?.(job);
    if (kind === undefined) return;
    const n = (this.kinds.get(kind) ?? 0) + delta;
    if (n > 0) this.kinds.set(kind, n);
    else this.kinds.delete(kind);
  }

  /** Run a job until it succeeds or is given up; undefined when stopped first (left unacknowledged). */
  private async runJob({ job, recovered }: Item): Promise<Outcome | undefined> {
    let uncertain = recovered;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler(job, { uncertain });
        return {};
      } catch (err) {
        if (this.stopped) return undefined; // left unacknowledged: delivered after restart
        uncertain ||= !provesNotDone(err);
        if (!isTransient(err) || attempt >= this.opts.maxAttempts) {
          return { dead: { error: describeError(err), attempts: attempt } };
        }
        const backoff = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.max(backoff, retryAfterOf(err) ?? 0);
        this.opts.onRetry?.(job, err, attempt, delay);
        await (this.opts.sleep ?? defaultSleep)(delay, this.abort.signal);
        if (this.stopped) return undefined;
      }
    }
  }

  /** Record the outcome; while the store is unreachable, keep trying (the job is done, not to be redone). */
  private async acknowledge(entry: string, job: DeliveryJob, outcome: Outcome): Promise<void> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 5000)) {
      try {
        await this.opts.onDone(entry, job, outcome);
        return;
      } catch {
        if (this.stopped) return;
        await (this.opts.sleep ?? defaultSleep)(wait, this.abort.signal);
        if (this.stopped) return;
      }
    }
  }

  /** Resolves when no lane has work. */
  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Let running jobs finish (up to `timeoutMs`), then stop; unfinished jobs stay unacknowledged. */
  async stop(timeoutMs: number): Promise<void> {
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    // Jobs sleeping before a retry are not worth waiting for: they resume after restart.
    await Promise.race([this.idle(), timer]);
    this.stopped = true;
    this.abort.abort();
    await Promise.race([Promise.all(this.running), timer]);
    this.lanes.clear();
    this.entries.clear();
    this.kinds.clear();
  }
}

