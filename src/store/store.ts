/**
 * The one storage interface. Two implementations pass one contract suite
 * (test/store/contract.test.ts): Redis (src/store/redis.ts) and embedded (src/store/embedded.ts).
 *
 * Only single-key primitives, so every key can live on any Redis Cluster node; the domain
 * modules (tubes, codes, message map, security log) are written once on top of these.
 * Keys are built in src/keys.ts; the store adds its namespace prefix.
 *
 * Besides keys, a store carries fire-and-forget messages (`publish`/`subscribe`) between the
 * processes that share it, on channels in the same namespace.
 */
/** One holder at a time, with expiry and a fencing token (src/lease.ts). */
export interface LeaseHandle {
  /** fencing token of the current hold, or 0 */
  token: number;
  readonly held: boolean;
  acquire(): Promise<boolean>;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface Store {
  readonly kind: 'redis' | 'embedded';
  /**
   * Present on a store shared by several processes: a lease on `key` (built in src/keys.ts) for
   * `owner`, so one process at a time holds a platform's single connection. A single-process
   * store has none: its process holds everything.
   */
  lease?(key: string, owner: string, ttlMs: number): LeaseHandle;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Set only when absent; true when this call set it. Atomic. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Read and delete in one atomic step: of racing callers, exactly one gets the value. */
  take(key: string): Promise<string | null>;
  del(key: string): Promise<void>;
  /** Increment a counter; the TTL starts with the first increment. */
  incr(key: string, ttlMs?: number): Promise<number>;
  /** Milliseconds to live, or -1 without TTL, -2 when absent. */
  ttl(key: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  /** Several fields of one hash at once (one command on Redis), in the order asked. */
  hmget(key: string, fields: readonly string[]): Promise<Array<string | null>>;
  hset(key: string, fields: Readonly<Record<string, string>>, ttlMs?: number): Promise<void>;
  hdel(key: string, field: string): Promise<void>;
  hgetall(key: string): Promise<Record<string, string>>;
  sadd(key: string, member: string): Promise<void>;
  srem(key: string, member: string): Promise<void>;
  smembers(key: string): Promise<string[]>;
  /** Append to a list, keeping at most the newest `max` items. */
  push(key: string, value: string, max: number): Promise<void>;
  /** The newest `count` items of a list, oldest first; with `skip`, the `count` before the newest `skip`. */
  tail(key: string, count: number, skip?: number): Promise<string[]>;
  putBytes(key: string, data: Uint8Array, ttlMs?: number): Promise<void>;
  getBytes(key: string): Promise<Uint8Array | null>;
  /**
   * Send `message` to every current subscriber of `channel` in this store's namespace: every
   * process on the same Redis with the same prefix (this one included); for the embedded store,
   * this process. Nothing is kept: a subscriber that is not connected at that moment misses it.
   * Messages from one publisher arrive in the order they were published.
   */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Hear `channel` until the returned function is called (or the store is closed); resolves once
   * subscribed, so a publish after that is heard. `onMessage` must not throw (a throw is dropped).
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /** Round trip to the backing service (health checks). */
  ping(): Promise<void>;
  /** Release connections; subscriptions end at once. */
  close(): Promise<void>;
}
