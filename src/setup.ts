/** Build a bridge from configuration: embedded store and queue, or Redis for both. */
import type { Logger } from 'pino';
import type { Bot } from './bot.js';
import { Bridge } from './bridge.js';
import type { Config } from './config.js';
import { createHttp } from './http.js';
import { MemoryQueue } from './queue/memory.js';
import { DEFAULT_RETRY, type RetryPolicy } from './queue/queue.js';
import { RedisQueue } from './queue/redis.js';
import { EmbeddedStore } from './store/embedded.js';
import { RedisStore, connectRedis } from './store/redis.js';

export interface BuildOptions {
  readonly retry?: Partial<RetryPolicy>;
  readonly leaseMs?: number;
}

export function buildBridge(config: Config, log: Logger, bots: readonly Bot[], opts: BuildOptions = {}): Bridge {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, maxAttempts: config.deliveryMaxAttempts, ...opts.retry };
  const http = createHttp({ bodyLimit: config.maxFileBytes + 1024 * 1024 });
  if (config.redisUrl) {
    const client = connectRedis(config.redisUrl);
    client.on('error', (err: unknown) => log.warn({ err }, 'redis connection error'));
    const store = new RedisStore(client, config.keyPrefix);
    const queue = new RedisQueue(client, store, config.keyPrefix, {
      shards: config.queueShards,
      processId: config.processId,
      retry,
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
      onError: (err) => log.warn({ err }, 'queue error'),
    });
    return new Bridge({ config, log, store, queue, http, bots });
  }
  const store = new EmbeddedStore(config.dataDir);
  return new Bridge({ config, log, store, queue: new MemoryQueue(store, retry), http, bots });
}
