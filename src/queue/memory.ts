/**
 * The embedded queue: one process, jobs kept in the embedded store until acknowledged, so a
 * restart resumes them in order.
 */
import { keys } from '../keys.js';
import { parseRoomKey } from '../model.js';
import type { Store } from '../store/store.js';
import type { DeliveryJob } from './job.js';
import { Lanes, type JobHandler } from './lanes.js';
import { DEFAULT_RETRY, DeadLetters, type DeliveryQueue, type QueueEvents, type QueueStart, type QueueStats, type RetryPolicy } from './queue.js';

export class MemoryQueue implements DeliveryQueue {
  private lanes: Lanes | undefined;
  private readonly backlog: DeliveryJob[] = [];
  private platforms: readonly string[] = [];

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

  async start(handler: JobHandler, events: QueueEvents = {}, opts: QueueStart = {}): Promise<void> {
    this.platforms = opts.platforms ?? [];
    this.lanes = new Lanes(handler, {
      ...this.retry,
      onRetry: events.onRetry,
      onDone: async (entry, job, outcome) => {
        await this.dead.settle(job, outcome, events);
        await this.store.hdel(keys.pendingJobs(), entry);
      },
    });
    const pending = Object.values(await this.store.hgetall(keys.pendingJobs()))
      .map((s) => JSON.parse(s) as DeliveryJob)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    // Jobs left from an earlier run may have been started by it (not those enqueued before start).
    const fresh = new Set(this.backlog.map((j) => j.id));
    for (const job of pending) this.lanes.push(job.id, job, !fresh.has(job.id));
    for (const job of this.backlog.splice(0)) this.lanes.push(job.id, job);
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await this.lanes?.stop(timeoutMs);
    this.lanes = undefined;
  }

  async stats(): Promise<QueueStats> {
    const pending = Object.values(await this.store.hgetall(keys.pendingJobs())).map((s) => JSON.parse(s) as DeliveryJob);
    const now = Date.now();
    const platforms: Record<string, { depth: number; oldestAgeMs: number }> = {};
    for (const p of this.platforms) platforms[p] = { depth: 0, oldestAgeMs: 0 };
    let oldestAgeMs = 0;
    for (const job of pending) {
      const age = now - job.acceptedAt;
      const p = (platforms[parseRoomKey(job.target).platform] ??= { depth: 0, oldestAgeMs: 0 });
      p.depth++;
      p.oldestAgeMs = Math.max(p.oldestAgeMs, age);
      oldestAgeMs = Math.max(oldestAgeMs, age);
    }
    return { depth: pending.length, oldestAgeMs, inMemory: this.lanes?.size ?? 0, platforms };
  }

  async idle(): Promise<void> {
    await this.lanes?.idle();
  }
}
