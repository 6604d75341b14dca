/**
 * The embedded queue: one process, jobs kept in the embedded store until acknowledged, so a
 * restart resumes them in order.
 */
import { keys } from '../keys.js';
import type { Store } from '../store/store.js';
import type { DeliveryJob } from './job.js';
import { Lanes, type JobHandler } from './lanes.js';
import { DEFAULT_RETRY, DeadLetters, type DeliveryQueue, type QueueEvents, type QueueStats, type RetryPolicy } from './queue.js';

export class MemoryQueue implements DeliveryQueue {
  private lanes: Lanes | undefined;
  private readonly backlog: DeliveryJob[] = [];

  constructor(
    private readonly store: Store,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly dead = new DeadLetters(store),
  ) {}

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    for (const job of jobs) await this.store.hset(keys.pendingJobs(), { [job.id]: JSON.stringify(job) });
    for (const job of jobs) {
      if (this.lanes) this.lanes.push(job.id, job);
      else this.backlog.push(job);
    }
  }

  async start(handler: JobHandler, events: QueueEvents = {}): Promise<void> {
    this.lanes = new Lanes(handler, {
      ...this.retry,
      onRetry: events.onRetry,
      onDone: async (entry, job, outcome) => {
        if (outcome.dead) {
          const letter = { job, error: outcome.dead.error, attempts: outcome.dead.attempts, at: Date.now() };
          await this.dead.add(letter);
          events.onDead?.(letter);
        } else events.onDelivered?.(job);
        await this.store.hdel(keys.pendingJobs(), entry);
      },
    });
    const pending = Object.values(await this.store.hgetall(keys.pendingJobs()))
      .map((s) => JSON.parse(s) as DeliveryJob)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const job of pending) this.lanes.push(job.id, job);
    for (const job of this.backlog.splice(0)) this.lanes.push(job.id, job);
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await this.lanes?.stop(timeoutMs);
    this.lanes = undefined;
  }

  async stats(): Promise<QueueStats> {
    const pending = Object.values(await this.store.hgetall(keys.pendingJobs())).map((s) => JSON.parse(s) as DeliveryJob);
    const oldest = pending.reduce((m, j) => Math.min(m, j.acceptedAt), Infinity);
    return { depth: pending.length, oldestAgeMs: pending.length ? Date.now() - oldest : 0, inMemory: this.lanes?.size ?? 0 };
  }

  async idle(): Promise<void> {
    await this.lanes?.idle();
  }
}
