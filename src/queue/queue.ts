/** The delivery queue contract, and the dead-letter list both implementations share. */
import { keys } from '../keys.js';
import type { Store } from '../store/store.js';
import type { DeadLetter, DeliveryJob } from './job.js';
import type { JobHandler, Outcome } from './lanes.js';

export interface PlatformQueueStats {
  /** jobs accepted and not yet acknowledged */
  readonly depth: number;
  /** age of the oldest of them, ms (0 when empty) */
  readonly oldestAgeMs: number;
}

export interface QueueStats extends PlatformQueueStats {
  /** jobs held in this process's memory */
  readonly inMemory: number;
  /** depth and oldest age by target platform (every platform the queue knows, empty ones too) */
  readonly platforms: Readonly<Record<string, PlatformQueueStats>>;
}

export interface QueueStart {
  /** the bridge's platforms: their queues exist, and show in stats, from the start */
  readonly platforms?: readonly string[];
  /**
   * For a platform whose copies go out over its one connection (IRC, XMPP): whether this
   * process holds that connection now, so only it delivers there. Undefined for any other
   * platform (any process delivers).
   */
  readonly holdsConnection?: (platform: string) => boolean | undefined;
}

export interface QueueEvents {
  onRetry?(job: DeliveryJob, err: unknown, attempt: number, delayMs: number): void;
  onDead?(letter: DeadLetter): void;
  onDelivered?(job: DeliveryJob): void;
}

export interface DeliveryQueue {
  /** Accept jobs durably; resolves once they survive a crash. */
  enqueue(jobs: readonly DeliveryJob[]): Promise<void>;
  start(handler: JobHandler, events?: QueueEvents, opts?: QueueStart): Promise<void>;
  /** Finish in-flight work (up to `timeoutMs`) and stop taking jobs. */
  stop(timeoutMs?: number): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Resolves when nothing is pending (tests, drain). */
  idle(): Promise<void>;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 5 * 60_000 };

export class DeadLetters {
  constructor(
    private readonly store: Store,
    private readonly max = 10_000,
  ) {}

  /** Report how a job ended to `events`, keeping a dead letter when it was given up. */
  async settle(job: DeliveryJob, outcome: Outcome, events: QueueEvents): Promise<void> {
    if (!outcome.dead) {
      events.onDelivered?.(job);
      return;
    }
    const letter = { job, error: outcome.dead.error, attempts: outcome.dead.attempts, at: Date.now() };
    await this.add(letter);
    events.onDead?.(letter);
  }

  async add(letter: DeadLetter): Promise<void> {
    await this.store.push(keys.deadLetters(), JSON.stringify(letter), this.max);
  }

  async list(count = 100): Promise<DeadLetter[]> {
    return (await this.store.tail(keys.deadLetters(), count)).map((s) => JSON.parse(s) as DeadLetter);
  }

  /** Re-enqueue dead letters (all, or those whose job id is given) and remove them from the list. */
  async replay(queue: DeliveryQueue, ids?: readonly string[]): Promise<number> {
    const all = await this.list(this.max);
    const pick = ids ? all.filter((l) => ids.includes(l.job.id)) : all;
    if (pick.length === 0) return 0;
    await queue.enqueue(pick.map((l) => l.job));
    const keep = all.filter((l) => !pick.includes(l));
    await this.store.del(keys.deadLetters());
    for (const l of keep) await this.store.push(keys.deadLetters(), JSON.stringify(l), this.max);
    return pick.length;
  }
}
