/**
 * One reader of a queue shard's streams (src/queue/redis.ts): reads its consumer's pending
 * entries first (a dead or stopped holder's), then new ones, into per-room lanes, within the
 * per-platform in-memory bound, and acknowledges finished jobs in batches.
 */
import { messageHas } from '../errors.js';
import type { Lease } from '../lease.js';
import { duplicateClient, type RedisClient } from '../store/redis.js';
import type { DeliveryJob } from './job.js';
import { Lanes, type JobHandler } from './lanes.js';
import type { QueueEvents } from './queue.js';
import type { RedisQueue } from './redis.js';

export const GROUP = 'deliver';
/** Acknowledge and delete a batch of entries of one stream in one atomic command. */
const ACK = `redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))`;
const ACK_BATCH = 500;
/** Read position of a stream: '>' for new entries, otherwise the id after which our pending ones are read. */
const NEW = '>';

/** The target platform of a job, as it appears in room keys (and stream keys). */
export function platformOf(job: DeliveryJob): string {
  return job.target.slice(0, job.target.indexOf(':'));
}

export class ShardReader {
  readonly lanes: Lanes;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private conn: RedisClient | undefined;
  /** stream key → read position, for every platform stream of the shard */
  private readonly cursors = new Map<string, string>();
  private readonly platformOfStream = new Map<string, string>();

  constructor(
    private readonly q: RedisQueue,
    readonly shard: number,
    /** the shard's lease; none for a reader of a connection-bound platform (its connection lease rules) */
    readonly lease: Lease | undefined,
    handler: JobHandler,
    events: QueueEvents,
    /** which target platforms' streams this reader reads */
    private readonly reads: (platform: string) => boolean,
  ) {
    this.lanes = new Lanes(handler, {
      ...q.retry,
      kindOf: platformOf,
      onRetry: events.onRetry,
      onDone: async (entry, job, outcome) => {
        await q.dead.settle(job, outcome, events);
        await this.ack(entry, job);
      },
    });
  }

  private acks: Array<{ readonly stream: string; readonly id: string; readonly resolve: () => void; readonly reject: (err: unknown) => void }> = [];

  /**
   * Acknowledgements of jobs finished together (lanes of one shard completing in the same tick)
   * go out as one command per stream: XACK + XDEL of every entry.
   */
  private ack(entry: string, job: DeliveryJob): Promise<void> {
    const stream = this.q.streamKey(this.shard, platformOf(job));
    const id = entry.slice(entry.indexOf(' ') + 1);
    return new Promise((resolve, reject) => {
      if (this.acks.push({ stream, id, resolve, reject }) === 1) process.nextTick(() => this.flushAcks());
    });
  }

  private flushAcks(): void {
    const byStream = new Map<string, typeof this.acks>();
    for (const a of this.acks.splice(0)) {
      const list = byStream.get(a.stream);
      if (list) list.push(a);
      else byStream.set(a.stream, [a]);
    }
    for (const [stream, all] of byStream) {
      for (let i = 0; i < all.length; i += ACK_BATCH) {
        const batch = all.slice(i, i + ACK_BATCH);
        this.q.client.eval(ACK, 1, stream, GROUP, ...batch.map((a) => a.id)).then(
          () => {
            for (const a of batch) a.resolve();
          },
          (err: unknown) => {
            for (const a of batch) a.reject(err);
          },
        );
      }
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

  /** Streams of platforms the queue learned about since the last read start with our pending entries. */
  private addStreams(): void {
    for (const platform of this.q.platforms) {
      if (!this.reads(platform)) continue;
      const stream = this.q.streamKey(this.shard, platform);
      if (this.cursors.has(stream)) continue;
      this.cursors.set(stream, '0');
      this.platformOfStream.set(stream, platform);
    }
  }

  private async run(conn: RedisClient): Promise<void> {
    const consumer = `shard-${this.shard}`;
    const max = this.q.maxInMemory;
    while (!this.stopped) {
      if (this.rescan && conn.status === 'ready') {
        this.rescan = false;
        for (const stream of this.cursors.keys()) this.cursors.set(stream, '0');
      }
      this.addStreams();
      // Streams whose platform has room under the bound; pending entries (after a takeover or
      // a reconnect) before any new ones.
      const open = [...this.cursors].filter(([stream]) => this.lanes.sizeOf(this.platformOfStream.get(stream) ?? '') < max);
      const pending = open.filter(([, cursor]) => cursor !== NEW);
      const read = pending.length > 0 ? pending : open;
      if (read.length === 0) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      // COUNT applies per stream: never more than a platform's room under the bound.
      const count = Math.min(200, ...read.map(([stream]) => max - this.lanes.sizeOf(this.platformOfStream.get(stream) ?? '')));
      let res: unknown;
      try {
        const streams = [...read.map(([stream]) => stream), ...read.map(([, cursor]) => cursor)];
        res = pending.length > 0
          ? await conn.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', ...streams)
          : await conn.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'BLOCK', 1000, 'STREAMS', ...streams);
      } catch (err) {
        if (this.stopped) return;
        this.q.opts.onError?.(err);
        this.rescan = true;
        // Streams gone (the keys were deleted): make them again.
        if (messageHas(err, 'NOGROUP')) for (const [stream] of read) await this.q.recreate(this.platformOfStream.get(stream) ?? '').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      // New entries read across a reconnect are pending now: they come again, in order, with
      // those of a lost read.
      if (this.rescan && pending.length === 0) continue;
      const byStream = parseStreams(res);
      let n = 0;
      for (const [stream, cursor] of read) {
        const entries = byStream.get(stream) ?? [];
        n += entries.length;
        if (cursor !== NEW && entries.length === 0) {
          this.cursors.set(stream, NEW);
          continue;
        }
        const platform = this.platformOfStream.get(stream) ?? '';
        for (const [id, job] of entries) {
          // Entries read back from our pending list may have been started by a holder that died.
          if (job && !this.stopped) this.lanes.push(`${platform} ${id}`, job, cursor !== NEW);
          if (cursor !== NEW) this.cursors.set(stream, id);
        }
      }
      // Let the event loop turn once before reading again: under load, entries that arrive
      // meanwhile come back in one read instead of one wake-up (one round trip) each.
      if (n > 0) await new Promise((r) => setImmediate(r));
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

/** An XREADGROUP reply: stream key → its entries, in order. */
function parseStreams(res: unknown): Map<string, Array<[string, DeliveryJob | undefined]>> {
  const out = new Map<string, Array<[string, DeliveryJob | undefined]>>();
  if (!Array.isArray(res)) return out;
  for (const stream of res as Array<[string, Array<[string, string[] | null]>]>) {
    const entries: Array<[string, DeliveryJob | undefined]> = [];
    for (const [id, fields] of stream[1] ?? []) {
      // A pending entry deleted meanwhile comes back without fields: skipped, but read past.
      const json = fields?.[1];
      entries.push([id, json ? (JSON.parse(json) as DeliveryJob) : undefined]);
    }
    out.set(stream[0], entries);
  }
  return out;
}
