/** Store on Redis (ioredis), for production and for any number of bridge processes. */
import { Cluster, Redis } from 'ioredis';
import { Lease } from '../lease.js';
import type { LeaseHandle, Store } from './store.js';

const INCR_WITH_TTL = `local v = redis.call('INCR', KEYS[1])
if v == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v`;
/** HSET and PEXPIRE in one atomic command: unlike MULTI, it rides the auto-pipeline with everything else. */
const HSET_WITH_TTL = `redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`;

/**
 * PUBLISH on the node that owns the channel's slot (the channel named as the script's key). A
 * plain PUBLISH has no key, so a Cluster client sends each to any node, and two messages that
 * cross the cluster bus by different nodes can arrive out of order.
 */
const PUBLISH_ON_SLOT = `return redis.call('PUBLISH', KEYS[1], ARGV[1])`;

export type RedisClient = Redis | Cluster;

/**
 * Connect to `url` (redis://…). A comma-separated list of `host:port` seeds, or a URL with
 * `?cluster=1`, connects to a Redis Cluster.
 */
export function connectRedis(url: string, opts: { lazyConnect?: boolean } = {}): RedisClient {
  const common = { maxRetriesPerRequest: 20, enableOfflineQueue: true, enableAutoPipelining: true, lazyConnect: opts.lazyConnect ?? false };
  if (url.includes(',') || /[?&]cluster=1\b/.test(url)) {
    const seeds = url
      .replace(/^redis:\/\//, '')
      .replace(/\?.*$/, '')
      .split(',')
      .map((hp) => {
        const [host, port] = hp.split(':');
        return { host: host || '127.0.0.1', port: Number(port) || 6379 };
      });
    return new Cluster(seeds, { redisOptions: common, enableOfflineQueue: true });
  }
  return new Redis(url, common);
}

/** A second connection to the same server(s), for blocking reads. */
export function duplicateClient(c: RedisClient, onError?: (err: unknown) => void): RedisClient {
  const dup = c instanceof Cluster ? c.duplicate() : c.duplicate();
  // Connection errors surface on the commands that fail; the event itself only needs a listener.
  dup.on('error', onError ?? (() => undefined));
  return dup;
}

/** QUIT, or drop the connection if the server does not answer soon. */
async function quit(c: RedisClient): Promise<void> {
  const t = setTimeout(() => c.disconnect(), 1000);
  try {
    await c.quit();
  } catch {
    c.disconnect();
  } finally {
    clearTimeout(t);
  }
}

/** One subscribed channel: its listeners, and the SUBSCRIBE they all wait for. */
interface Channel {
  readonly listeners: Set<(message: string) => void>;
  readonly ready: Promise<unknown>;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  /**
   * Made on the first subscribe: a connection in subscriber mode can run nothing else. ioredis
   * subscribes it again after a reconnect (`autoResubscribe`, on by default; on a Cluster its
   * subscriber moves to another node and takes its channels along).
   */
  private sub: RedisClient | undefined;
  /** by full (prefixed) channel name */
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  lease(key: string, owner: string, ttlMs: number): LeaseHandle {
    return new Lease(this.client, this.prefix + key, owner, ttlMs);
  }

  constructor(
    readonly client: RedisClient,
    readonly prefix = 'sr:',
  ) {}

  private k(key: string): string {
    return this.prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.client.set(this.k(key), value, 'PX', ttlMs);
    else await this.client.set(this.k(key), value);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const r = ttlMs
      ? await this.client.set(this.k(key), value, 'PX', ttlMs, 'NX')
      : await this.client.set(this.k(key), value, 'NX');
    return r === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return this.client.getdel(this.k(key));
  }

  async del(key: string): Promise<void> {
    await this.client.del(this.k(key));
  }

  async incr(key: string, ttlMs = 0): Promise<number> {
    return Number(await this.client.eval(INCR_WITH_TTL, 1, this.k(key), String(ttlMs)));
  }

  async ttl(key: string): Promise<number> {
    return this.client.pttl(this.k(key));
  }

  async hget(key: string, field: string): Promise<string | null> {
    return this.client.hget(this.k(key), field);
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, ttlMs?: number): Promise<void> {
    if (!ttlMs) {
      await this.client.hset(this.k(key), fields);
      return;
    }
    const args: string[] = [String(ttlMs)];
    for (const [f, v] of Object.entries(fields)) args.push(f, v);
    if (args.length === 1) return;
    if (args.length > 4000) {
      // Beyond what Lua's unpack takes in one call.
      await this.client.multi().hset(this.k(key), fields).pexpire(this.k(key), ttlMs).exec();
      return;
    }
    await this.client.eval(HSET_WITH_TTL, 1, this.k(key), ...args);
  }

  async hmget(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    return this.client.hmget(this.k(key), ...fields);
  }

  async hdel(key: string, field: string): Promise<void> {
    await this.client.hdel(this.k(key), field);
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return this.client.hgetall(this.k(key));
  }

  async sadd(key: string, member: string): Promise<void> {
    await this.client.sadd(this.k(key), member);
  }

  async srem(key: string, member: string): Promise<void> {
    await this.client.srem(this.k(key), member);
  }

  async smembers(key: string): Promise<string[]> {
    return this.client.smembers(this.k(key));
  }

  async push(key: string, value: string, max: number): Promise<void> {
    await this.client.multi().rpush(this.k(key), value).ltrim(this.k(key), -max, -1).exec();
  }

  async tail(key: string, count: number, skip = 0): Promise<string[]> {
    if (count <= 0) return [];
    return this.client.lrange(this.k(key), -(count + skip), -(skip + 1));
  }

  async putBytes(key: string, data: Uint8Array, ttlMs?: number): Promise<void> {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (ttlMs) await this.client.set(this.k(key), buf, 'PX', ttlMs);
    else await this.client.set(this.k(key), buf);
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    return this.client.getBuffer(this.k(key));
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.client instanceof Cluster) await this.client.eval(PUBLISH_ON_SLOT, 1, this.k(channel), message);
    else await this.client.publish(this.k(channel), message);
  }

  private subscriber(): RedisClient {
    if (this.sub) return this.sub;
    const sub = duplicateClient(this.client);
    sub.on('message', (channel: string, message: string) => {
      for (const fn of this.channels.get(channel)?.listeners ?? []) {
        try {
          fn(message);
        } catch {
          // A listener's own failure must not stop the others (the contract says: do not throw).
        }
      }
    });
    this.sub = sub;
    return sub;
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('store is closed');
    const name = this.k(channel);
    const sub = this.subscriber();
    let ch = this.channels.get(name);
    if (!ch) {
      ch = { listeners: new Set(), ready: sub.subscribe(name) };
      this.channels.set(name, ch);
    }
    const entry = ch;
    // A wrapper of our own: the same function subscribed twice is two subscriptions.
    const listener = (message: string): void => onMessage(message);
    entry.listeners.add(listener);
    const drop = (): boolean => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.channels.get(name) !== entry) return false;
      this.channels.delete(name);
      return true;
    };
    try {
      await entry.ready;
    } catch (err) {
      drop();
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      // Commands on one connection run in order: a later SUBSCRIBE to the same name wins.
      if (drop() && !this.closed) await sub.unsubscribe(name);
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    const sub = this.sub;
    this.sub = undefined;
    await Promise.all([quit(this.client), sub ? quit(sub) : undefined]);
  }
}
