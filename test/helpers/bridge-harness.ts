/**
 * Builds a real bridge for tests: embedded store in a temp dir, or the test run's private
 * Redis under a namespace of its own. `settle()` waits until every queued delivery is done.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Bot } from '../../src/bot.js';
import type { Bridge } from '../../src/bridge.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { buildBridge, type BuildOptions } from '../../src/setup.js';
import type { CommandRunner } from '../../src/command.js';
import { PLATFORMS } from '../../bots/index.js';
import { createCommandRunner } from '../../commands/index.js';

export type StoreKind = 'embedded' | 'redis';

export interface TestBridgeOptions extends BuildOptions {
  readonly store: StoreKind;
  readonly bots: readonly Bot[];
  /** reuse a data dir (embedded) or namespace (redis) to simulate a restart */
  readonly dataDir?: string;
  readonly prefix?: string;
  readonly env?: Record<string, string>;
  /** the command layer; default: the real one */
  readonly commands?: CommandRunner;
}

export interface TestBridge {
  readonly bridge: Bridge;
  readonly config: Config;
  readonly dataDir: string;
  readonly prefix: string;
  /** base URL once listening */
  url: string;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestBridge(opts: TestBridgeOptions): Promise<TestBridge> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sameroom-test-'));
  const prefix = opts.prefix ?? `t${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    REDIS_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(opts.store === 'redis' ? { REDIS_URL: inject('redisUrl') } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const commands = opts.commands ?? createCommandRunner();
  const bridge = buildBridge(config, log, opts.bots, commands, { platforms: PLATFORMS, retry: { baseDelayMs: 10, maxDelayMs: 200, ...opts.retry }, leaseMs: opts.leaseMs ?? 1000 });
  await bridge.start();
  const url = await bridge.http.listen({ port: config.port, host: '127.0.0.1' });
  const tb: TestBridge = {
    bridge,
    config,
    dataDir,
    prefix,
    url,
    settle: async () => {
      // Deliveries can enqueue notices; wait until two idle reads agree.
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 5));
        await bridge.queue.idle();
      }
    },
    stop: () => bridge.stop(2000),
  };
  return tb;
}
