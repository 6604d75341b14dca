/**
 * The production queue: Redis Streams, sharded by target room. Each shard has one consumer
 * name and is read by the one process holding its lease, so per-room order holds across any
 * number of processes. A process that dies leaves its unacknowledged entries pending under
 * the shard's consumer name; the next holder reads those first (XREADGROUP from 0), which is
 * how a dead consumer's jobs are claimed. Processes share shards evenly: each takes up to
 * ceil(shards / live processes) and gives back extras once they are idle.
 */
import { createHash } from 'node:crypto';
import { keys } from '../keys.js';
import { Lease } from '../lease.js';
import { duplicateClient, type RedisClient } from '../store/redis.js';
import type { Store } from '../store/store.js';
import type { DeliveryJob } from './job.js';
import { Lanes, type JobHandler } from './lanes.js';
import { DEFAULT_RETRY, DeadLetters, type DeliveryQueue, type QueueEvents, type QueueStats, type RetryPolicy } from './queue.js';

const GROUP = 'deliver';
/** Acknowledge and delete a batch of entries of one stream in one atomic command. */
const ACK = `redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))`;
const ACK_BATCH = 500;

export interface RedisQueueOptions {
  readonly shards?: number;
  readonly processId: string;
  readonly leaseMs?: number;
  readonly retry?: RetryPolicy;
  /** jobs a shard may hold in memory before it stops reading (back-pressure) */
  readonly maxInMemory?: number;
  readonly onError?: (err: unknown) => void;
}

export function shardOf(target: string, shards: number): number {
  return createHash('sha1').update(target).digest().readUInt32BE(0) % shards;
}

class ShardReader {
  readonly lanes: Lanes;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private conn: RedisClient | undefined;

  constructor(
    private readonly q: RedisQueue,
    readonly shard: number,
    readonly lease: Lease,
    handler: JobHandler,
    events: QueueEvents,
  ) {
    this.lanes = new Lanes(handler, {
      ...q.retry,
      onRetry: events.onRetry,
      onDone: async (entry, job, outcome) => {
        if (outcome.dead) {
          const letter = { job, error: outcome.dead.error, attempts: outcome.dead.attempts, at: Date.now() };
          await q.dead.add(letter);
          events.onDead?.(letter);
        } else events.onDelivered?.(job);
        await this.ack(entry);
      },
    });
  }

  private acks: Array<{ readonly entry: string; readonly resolve: () => void; readonly reject: (err: unknown) => void }> = [];

  /**
   * Acknowledgements of jobs finished together (lanes of one shard completing in the same tick)
   * go out as one command: XACK + XDEL of every entry.
   */
  private ack(entry: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.acks.push({ entry, resolve, reject }) === 1) process.nextTick(() => this.flushAcks());
    });
  }

  private flushAcks(): void {
    const key = this.q.streamKey(this.shard);
    const all = this.acks;
    this.acks = [];
    for (let i = 0; i < all.length; i += ACK_BATCH) {
      const batch = all.slice(i, i + ACK_BATCH);
      this.q.client.eval(ACK, 1, key, GROUP, ...batch.map((a) => a.entry)).then(
        () => {
          for (const a of batch) a.resolve();
        },
        (err: unknown) => {
          for (const a of batch) a.reject(err);
        },
      );
    }
  }

  /** Set when the reader's connection dropped: our pending entries are read again, in order. */
  private rescan = false;

  start(): void {
    const conn = duplicateClient(this.q.client);
    // A read whose reply is lost with the connection leaves its entries pending under our
    // consumer name, and ioredis resends the read as a new one: after a reconnect, read our
    // pending entries again (in stream order) before new ones, so none is stranded.
    conn.on('close', () => (this.rescan = true));
    conn.on('reconnecting', () => (this.rescan = true));
    this.conn = conn;
    this.loop = this.run(conn).catch((err: unknown) => this.q.opts.onError?.(err));
  }

  private async run(conn: RedisClient): Promise<void> {
    const key = this.q.streamKey(this.shard);
    const consumer = `shard-${this.shard}`;
    let cursor = '0'; // our consumer's pending entries first: those of a holder that died
    while (!this.stopped) {
      if (this.lanes.size >= this.q.maxInMemory) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (this.rescan && conn.status === 'ready') {
        this.rescan = false;
        cursor = '0';
      }
      let res: unknown;
      try {
        // Never more than the room left under maxInMemory: the bound holds exactly.
        const count = Math.min(200, this.q.maxInMemory - this.lanes.size);
        res = await conn.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'BLOCK', cursor === '>' ? 1000 : 0, 'STREAMS', key, cursor);
      } catch (err) {
        if (this.stopped) return;
        this.q.opts.onError?.(err);
        this.rescan = true;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      // New entries read across a reconnect are pending now: they come again, in order, with
      // those of a lost read.
      if (this.rescan && cursor === '>') continue;
      const entries = parseEntries(res);
      if (cursor !== '>' && entries.length === 0) {
        cursor = '>';
        continue;
      }
      for (const [id, job] of entries) {
        if (!this.stopped) this.lanes.push(id, job);
        if (cursor !== '>') cursor = id;
      }
      // Let the event loop turn once before reading again: under load, entries that arrive
      // meanwhile come back in one read instead of one wake-up (one round trip) each.
      if (entries.length > 0) await new Promise((r) => setImmediate(r));
    }
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    await this.lanes.stop(timeoutMs);
    this.conn?.disconnect();
    // A read issued while the connection was reconnecting is never settled by disconnect():
    // do not wait for it (the loop ends by itself if it ever returns).
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}

function parseEntries(res: unknown): Array<[string, DeliveryJob]> {
  if (!Array.isArray(res)) return [];
  const out: Array<[string, DeliveryJob]> = [];
  for (const stream of res as Array<[string, Array<[string, string[] | null]>]>) {
    for (const [id, fields] of stream[1] ?? []) {
      const json = fields?.[1];
      if (json) out.push([id, JSON.parse(json) as DeliveryJob]);
    }
  }
  return out;
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

  streamKey(shard: number): string {
    return this.prefix + keys.queueShard(shard);
  }

  /** The stream of a target room's shard (memoized: a hash per job otherwise). */
  private streamKeyOf(target: string): string {
    let key = this.streamKeys.get(target);
    if (key === undefined) {
      if (this.streamKeys.size >= 10_000) this.streamKeys.clear();
      key = this.streamKey(shardOf(target, this.shards));
      this.streamKeys.set(target, key);
    }
    return key;
  }

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    await Promise.all(jobs.map((job) => this.client.xadd(this.streamKeyOf(job.target), '*', 'job', JSON.stringify(job))));
  }

  async start(handler: JobHandler, events: QueueEvents = {}): Promise<void> {
    this.handler = handler;
    this.events = events;
    for (let s = 0; s < this.shards; s++) {
      await this.client.xgroup('CREATE', this.streamKey(s), GROUP, '0', 'MKSTREAM').catch((err: unknown) => {
        if (!String(err).includes('BUSYGROUP')) throw err;
      });
    }
    await this.tick();
    const leaseMs = this.opts.leaseMs ?? 5000;
    this.timer = setInterval(() => {
      if (!this.tickRunning) this.tickRunning = this.tick().catch((err: unknown) => this.opts.onError?.(err)).finally(() => (this.tickRunning = undefined));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  /** Heartbeat, renew held shards, take free ones up to a fair share, give back extras. */
  private async tick(): Promise<void> {
    const leaseMs = this.opts.leaseMs ?? 5000;
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
    for (const [shard, reader] of this.readers) {
      if (!(await reader.lease.renew())) {
        this.readers.delete(shard);
        await reader.stop(0);
      }
    }
    if (this.readers.size > fair) {
      const extra = [...this.readers.values()].find((r) => r.lanes.size === 0);
      if (extra) {
        this.readers.delete(extra.shard);
        await extra.stop(1000);
        await extra.lease.release();
      }
    }
    for (let s = 0; s < this.shards && this.readers.size < fair; s++) {
      const shard = (s + hashOffset(this.opts.processId, this.shards)) % this.shards;
      if (this.readers.has(shard) || !this.handler) continue;
      const lease = new Lease(this.client, this.prefix + keys.queueLease(shard), this.opts.processId, leaseMs);
      if (!(await lease.acquire())) continue;
      const reader = new ShardReader(this, shard, lease, this.handler, this.events);
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
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map(async (r) => {
      await r.stop(timeoutMs);
      await r.lease.release();
    }));
    await this.client.hdel(this.prefix + keys.processes(), this.opts.processId);
  }

  async stats(): Promise<QueueStats> {
    let depth = 0;
    let oldest = Infinity;
    for (let s = 0; s < this.shards; s++) {
      const key = this.streamKey(s);
      depth += await this.client.xlen(key);
      const first = await this.client.xrange(key, '-', '+', 'COUNT', 1);
      const id = first[0]?.[0];
      if (id) oldest = Math.min(oldest, Number(id.split('-')[0]));
    }
    let inMemory = 0;
    for (const r of this.readers.values()) inMemory += r.lanes.size;
    return { depth, oldestAgeMs: depth > 0 && oldest !== Infinity ? Date.now() - oldest : 0, inMemory };
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
