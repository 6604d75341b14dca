/**
 * The production queue: Redis Streams, sharded by target room, one stream per shard and target
 * platform. Each shard has one consumer name and is read by the one process holding its lease,
 * so per-room order holds across any number of processes (a room's jobs are all in one stream).
 * A process that dies leaves its unacknowledged entries pending under the shard's consumer
 * name; the next holder reads those first (XREADGROUP from 0), which is how a dead consumer's
 * jobs are claimed. Processes share shards evenly: each takes up to ceil(shards / live
 * processes) and gives back extras once they are idle.
 *
 * Streams per target platform give exact depth and oldest age per platform (XLEN, first entry)
 * and keep platforms apart: the in-memory bound is per platform, so a platform that stopped
 * answering fills its own share and the others keep flowing.
 */
import { createHash } from 'node:crypto';
import { messageHas } from '../errors.js';
import { keys } from '../keys.js';
import { Lease } from '../lease.js';
import type { RedisClient } from '../store/redis.js';
import type { Store } from '../store/store.js';
import type { DeliveryJob } from './job.js';
import type { JobHandler } from './lanes.js';
import { DEFAULT_RETRY, DeadLetters, type DeliveryQueue, type PlatformQueueStats, type QueueEvents, type QueueStart, type QueueStats, type RetryPolicy } from './queue.js';
import { GROUP, ShardReader, platformOf } from './shard-reader.js';

export interface RedisQueueOptions {
  readonly shards?: number;
  readonly processId: string;
  readonly leaseMs?: number;
  readonly retry?: RetryPolicy;
  /** jobs for one target platform a shard may hold in memory before it stops reading them (back-pressure) */
  readonly maxInMemory?: number;
  readonly onError?: (err: unknown) => void;
}

export function shardOf(target: string, shards: number): number {
  return createHash('sha1').update(target).digest().readUInt32BE(0) % shards;
}


export class RedisQueue implements DeliveryQueue {
  readonly shards: number;
  readonly retry: RetryPolicy;
  readonly maxInMemory: number;
  readonly dead: DeadLetters;
  private readonly readers = new Map<number, ShardReader>();
  private timer: NodeJS.Timeout | undefined;
  private handler: JobHandler | undefined;
  private events: QueueEvents = {};
  private tickRunning: Promise<void> | undefined;
  private readonly streamKeys = new Map<string, string>();
  /** target platforms with streams (those of every process, refreshed each tick) */
  readonly platforms = new Set<string>();
  /** platforms whose streams and consumer groups this process made sure exist */
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    readonly client: RedisClient,
    store: Store,
    private readonly prefix: string,
    readonly opts: RedisQueueOptions,
  ) {
    this.shards = opts.shards ?? 8;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.maxInMemory = opts.maxInMemory ?? 1000;
    this.dead = new DeadLetters(store);
  }

  streamKey(shard: number, platform: string): string {
    return this.prefix + keys.queueStream(shard, platform);
  }

  /** The stream of a target room (memoized: a hash per job otherwise). */
  private streamKeyOf(job: DeliveryJob): string {
    let key = this.streamKeys.get(job.target);
    if (key === undefined) {
      if (this.streamKeys.size >= 10_000) this.streamKeys.clear();
      key = this.streamKey(shardOf(job.target, this.shards), platformOf(job));
      this.streamKeys.set(job.target, key);
    }
    return key;
  }

  /** Create a platform's streams with their consumer group, once per process, and announce it to the other processes. */
  private prepare(platform: string): Promise<void> {
    let done = this.ready.get(platform);
    if (!done) {
      done = (async () => {
        for (let s = 0; s < this.shards; s++) {
          await this.client.xgroup('CREATE', this.streamKey(s, platform), GROUP, '0', 'MKSTREAM').catch((err: unknown) => {
            if (!messageHas(err, 'BUSYGROUP')) throw err;
          });
        }
        await this.client.sadd(this.prefix + keys.queuePlatforms(), platform);
        this.platforms.add(platform);
      })();
      done.catch(() => this.ready.delete(platform)); // tried again with the next job
      this.ready.set(platform, done);
    }
    return done;
  }

  /** Make a platform's streams again (after they were deleted under us). */
  recreate(platform: string): Promise<void> {
    this.ready.delete(platform);
    return this.prepare(platform);
  }

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    await Promise.all(
      jobs.map(async (job) => {
        const platform = platformOf(job);
        if (!this.platforms.has(platform)) await this.prepare(platform);
        await this.client.xadd(this.streamKeyOf(job), '*', 'job', JSON.stringify(job));
      }),
    );
  }

  async start(handler: JobHandler, events: QueueEvents = {}, opts: QueueStart = {}): Promise<void> {
    this.handler = handler;
    this.events = events;
    if (opts.holdsConnection) this.holdsConnection = opts.holdsConnection;
    for (const platform of opts.platforms ?? []) await this.prepare(platform);
    await this.tick();
    const leaseMs = this.opts.leaseMs ?? 5000;
    this.timer = setInterval(() => {
      if (!this.tickRunning) this.tickRunning = this.tick().catch((err: unknown) => this.opts.onError?.(err)).finally(() => (this.tickRunning = undefined));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  private holdsConnection: (platform: string) => boolean | undefined = () => undefined;
  /** readers (one per shard) of each connection-bound platform whose connection this process holds */
  private readonly bound = new Map<string, ShardReader[]>();

  /** Whether shard readers read a platform's streams: not when only its connection holder may deliver. */
  private readonly sharedPlatform = (platform: string): boolean => this.holdsConnection(decodeURIComponent(platform)) === undefined;

  /** Read the streams of connection-bound platforms while this process holds their connection. */
  private async followConnections(): Promise<void> {
    for (const platform of this.platforms) {
      const held = this.holdsConnection(decodeURIComponent(platform));
      if (held === undefined) continue;
      const readers = this.bound.get(platform);
      if (held && !readers && this.handler) {
        const handler = this.handler;
        const mine = Array.from({ length: this.shards }, (_, s) => new ShardReader(this, s, undefined, handler, this.events, (p) => p === platform));
        this.bound.set(platform, mine);
        for (const r of mine) r.start();
      } else if (!held && readers) {
        // The connection went to another process: it reads our unfinished entries from the start.
        this.bound.delete(platform);
        await Promise.all(readers.map((r) => r.stop(0)));
      }
    }
  }

  /** Platforms any process has streams for. */
  private async refreshPlatforms(): Promise<void> {
    for (const p of await this.client.smembers(this.prefix + keys.queuePlatforms())) this.platforms.add(p);
  }

  /** Heartbeat, renew held shards, take free ones up to a fair share, give back extras. */
  private async tick(): Promise<void> {
    const leaseMs = this.opts.leaseMs ?? 5000;
    await this.refreshPlatforms();
    const now = Date.now();
    const procKey = this.prefix + keys.processes();
    await this.client.hset(procKey, this.opts.processId, String(now));
    const beats = await this.client.hgetall(procKey);
    let live = 0;
    for (const [pid, ts] of Object.entries(beats)) {
      if (now - Number(ts) <= leaseMs * 2) live++;
      else if (now - Number(ts) > leaseMs * 20) await this.client.hdel(procKey, pid);
    }
    const fair = Math.ceil(this.shards / Math.max(1, live));
    await this.followConnections();
    for (const [shard, reader] of this.readers) {
      if (!(await reader.lease?.renew())) {
        this.readers.delete(shard);
        await reader.stop(0);
      }
    }
    if (this.readers.size > fair) {
      const extra = [...this.readers.values()].find((r) => r.lanes.size === 0);
      if (extra) {
        this.readers.delete(extra.shard);
        await extra.stop(1000);
        await extra.lease?.release();
      }
    }
    for (let s = 0; s < this.shards && this.readers.size < fair; s++) {
      const shard = (s + hashOffset(this.opts.processId, this.shards)) % this.shards;
      if (this.readers.has(shard) || !this.handler) continue;
      const lease = new Lease(this.client, this.prefix + keys.queueLease(shard), this.opts.processId, leaseMs);
      if (!(await lease.acquire())) continue;
      const reader = new ShardReader(this, shard, lease, this.handler, this.events, this.sharedPlatform);
      this.readers.set(shard, reader);
      reader.start();
    }
  }

  /** Shards this process reads now. */
  heldShards(): number[] {
    return [...this.readers.keys()].sort((a, b) => a - b);
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.tickRunning;
    this.handler = undefined;
    const readers = [...this.readers.values(), ...[...this.bound.values()].flat()];
    this.readers.clear();
    this.bound.clear();
    await Promise.all(readers.map(async (r) => {
      await r.stop(timeoutMs);
      await r.lease?.release();
    }));
    await this.client.hdel(this.prefix + keys.processes(), this.opts.processId);
  }


  async stats(): Promise<QueueStats> {
    await this.refreshPlatforms();
    const platforms = [...this.platforms];
    const perStream = await Promise.all(
      platforms.flatMap((p) =>
        Array.from({ length: this.shards }, async (_, s) => {
          const key = this.streamKey(s, p);
          const [len, first] = await Promise.all([this.client.xlen(key), this.client.xrange(key, '-', '+', 'COUNT', 1)]);
          const id = first[0]?.[0];
          return { platform: p, len, oldest: id ? Number(id.split('-')[0]) : Infinity };
        }),
      ),
    );
    const now = Date.now();
    const byPlatform: Record<string, PlatformQueueStats> = {};
    let depth = 0;
    let oldest = Infinity;
    for (const p of platforms) {
      const mine = perStream.filter((x) => x.platform === p);
      const d = mine.reduce((n, x) => n + x.len, 0);
      const o = Math.min(...mine.map((x) => x.oldest));
      byPlatform[decodeURIComponent(p)] = { depth: d, oldestAgeMs: d > 0 && o !== Infinity ? now - o : 0 };
      depth += d;
      if (d > 0) oldest = Math.min(oldest, o);
    }
    let inMemory = 0;
    for (const r of [...this.readers.values(), ...[...this.bound.values()].flat()]) inMemory += r.lanes.size;
    return { depth, oldestAgeMs: depth > 0 && oldest !== Infinity ? now - oldest : 0, inMemory, platforms: byPlatform };
  }

  async idle(): Promise<void> {
    for (;;) {
      const { depth } = await this.stats();
      if (depth === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function hashOffset(id: string, n: number): number {
  return shardOf(id, n);
}
