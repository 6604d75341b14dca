/**
 * The process whose memory the memory benchmark measures: the real `npm start` set-up
 * (configuration from the environment, every platform the registry finds configured, here each
 * pointed at a local fake) plus two null platforms to relay messages through it.
 */
import { PLATFORMS } from '../bots/index.js';
import { createCommandRunner } from '../commands/index.js';
import { loadPlatforms } from '../src/platform.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Bridge } from '../src/bridge.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { roomKey, type RemoteMessageId } from '../src/model.js';
import { buildBridge } from '../src/setup.js';
import { NullBot } from './null-bot.js';
import { serve } from './rpc.js';
import { clock, sleep } from './stats.js';

export interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryHostApi {
  start(): Promise<{ platforms: string[] }>;
  /** Collect garbage, let timers run, collect again; then report. */
  measure(): Promise<Memory>;
  /** Relay `messages` posts from `groups` source rooms (each tubed to one null target), in order per room. */
  relay(a: { messages: number; groups: number }): Promise<{ seconds: number }>;
  /** Event-loop delay since the last call (ms): the longest stall and the p99. */
  loop(): Promise<{ maxMs: number; p99Ms: number }>;
  stop(): Promise<void>;
}

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

const src = new NullBot('src');
const dst = new NullBot('dst');
dst.record = false; // the benchmark's own bookkeeping must not grow with the messages
let bridge: Bridge | undefined;
let tubed = 0;
let seq = 0;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

serve<MemoryHostApi>({
  async start() {
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sr-bench-mem-')), ...process.env });
    const { bots } = await loadPlatforms(PLATFORMS, config);
    bridge = buildBridge(config, createLogger(config.logLevel), [...bots, src, dst], createCommandRunner(), { platforms: PLATFORMS });
    await bridge.start();
    await bridge.http.listen({ port: config.port, host: config.host });
    return { platforms: bridge.platforms() };
  },
  async measure() {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(150);
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  },
  async relay({ messages, groups }) {
    const b = bridge;
    if (!b) throw new Error('not started');
    for (; tubed < groups; tubed++) {
      await b.tubes.create(roomKey({ platform: 'src', channel: `g${tubed}` }), roomKey({ platform: 'dst', channel: `g${tubed}` }), 'bench');
    }
    const ingest = (src.ctx as NonNullable<typeof src.ctx>).ingest;
    const goal = dst.sent + messages;
    const t0 = clock();
    const per = Math.ceil(messages / groups);
    await Promise.all(Array.from({ length: groups }, async (_, g) => {
      for (let i = 0; i < per && g * per + i < messages; i++) {
        const k = seq++;
        await ingest({ kind: 'post', room: { platform: 'src', channel: `g${g}` }, eventId: `mem-${k}`, id: `mem-${k}` as RemoteMessageId, author: { id: 'u1', name: 'Uma' }, text: `message ${k} @${clock()}` });
      }
    }));
    while (dst.sent < goal) await sleep(10);
    return { seconds: (clock() - t0) / 1000 };
  },
  async loop() {
    const r = { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 };
    delay.reset();
    return r;
  },
  async stop() {
    await bridge?.stop(5000);
  },
});
