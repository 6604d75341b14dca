/** Build a bridge from configuration: embedded store and queue, or Redis for both. */
import type { Logger } from 'pino';
import type { Bot } from './bot.js';
import { Bridge } from './bridge.js';
import type { Config } from './config.js';
import { createHttp } from './http.js';
import { mountLegal } from './legal.js';
import { isWebRoomMaker, mountPortal } from './portal/index.js';
import { MemoryQueue } from './queue/memory.js';
import { DEFAULT_RETRY, type RetryPolicy } from './queue/queue.js';
import { RedisQueue } from './queue/redis.js';
import type { Services } from './services.js';
import type { CommandRunner } from './command.js';
import type { PlatformInfo } from './platform.js';
import { EmbeddedStore } from './store/embedded.js';
import { RedisStore, connectRedis } from './store/redis.js';

export interface BuildOptions {
  readonly retry?: Partial<RetryPolicy>;
  readonly leaseMs?: number;
  /** First and longest wait before starting a failed platform again. */
  readonly platformRetryMs?: { readonly first: number; readonly max: number };
  /** display names and limits of the platforms (from their descriptors) */
  readonly platforms?: readonly PlatformInfo[];
  /** the embedded store, opened (and DATA_DIR locked) before anything slower starts */
  readonly embedded?: EmbeddedStore;
}

/** Open the embedded store: takes DATA_DIR, or refuses when another process has it. */
export function openEmbeddedStore(config: Config): EmbeddedStore {
  return new EmbeddedStore(config.dataDir, { owner: 'starting this bridge (or give each bridge its own DATA_DIR)', fsync: config.dataSync === 'fsync' });
}

/** A built-in platform (web) that works with the core's services directly; bound before start. */
export interface BuiltinBot extends Bot {
  bind(services: Services): void;
}

export function isBuiltin(bot: Bot): bot is BuiltinBot {
  return typeof (bot as Partial<BuiltinBot>).bind === 'function';
}

/** Bind built-in bots and mount the portal and map pages (with guest chat when the web platform runs). */
function wire(bridge: Bridge, bots: readonly Bot[]): Bridge {
  for (const bot of bots) if (isBuiltin(bot)) bot.bind(bridge);
  mountPortal(bridge.http, bridge, bots.find(isWebRoomMaker));
  mountLegal(bridge.http, bridge.config.env, bridge.config.publicUrl);
  return bridge;
}

const platformRetry = (opts: BuildOptions): { platformRetryMs?: BuildOptions['platformRetryMs'] } =>
  opts.platformRetryMs ? { platformRetryMs: opts.platformRetryMs } : {};

/** `commands`: the command layer (commands/), which the core does not import. */
export function buildBridge(config: Config, log: Logger, bots: readonly Bot[], commands: CommandRunner, opts: BuildOptions = {}): Bridge {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, maxAttempts: config.deliveryMaxAttempts, ...opts.retry };
  // Client addresses (rate limits) come from X-Forwarded-For only behind a proxy the operator names.
  const http = createHttp({ bodyLimit: config.maxFileBytes + 1024 * 1024, trustProxy: config.trustProxy });
  if (config.redisUrl) {
    const client = connectRedis(config.redisUrl);
    client.on('error', (err: unknown) => log.warn({ err }, 'redis connection error'));
    const store = new RedisStore(client, config.keyPrefix);
    const queue = new RedisQueue(client, store, config.keyPrefix, {
      shards: config.queueShards,
      processId: config.processId,
      retry,
      leaseMs: opts.leaseMs ?? config.leaseMs,
      onError: (err) => log.warn({ err }, 'queue error'),
    });
    return wire(new Bridge({ config, log, store, queue, http, bots, commands, ...(opts.platforms ? { platforms: opts.platforms } : {}), ...platformRetry(opts) }), bots);
  }
  const store = opts.embedded ?? openEmbeddedStore(config);
  return wire(new Bridge({ config, log, store, queue: new MemoryQueue(store, retry), http, bots, commands, ...(opts.platforms ? { platforms: opts.platforms } : {}), ...platformRetry(opts) }), bots);
}
