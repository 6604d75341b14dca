/**
 * One bridge process of the relay benchmark (forked by relay.ts). It builds a bridge with two
 * null platforms, `src` and `dst`, drives its share of the inbound load through the real
 * BotContext.ingest, and records every copy that reaches `dst.send`. Several hosts on one
 * redis-server share the delivery work through the queue's shard leases.
 */
import { createCommandRunner } from '../commands/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bridge } from '../src/bridge.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { roomKey, type Inbound, type RemoteMessageId, type RoomKey } from '../src/model.js';
import { RedisQueue } from '../src/queue/redis.js';
import { buildBridge } from '../src/setup.js';
import { NullBot } from './null-bot.js';
import { serve } from './rpc.js';
import { clock, round } from './stats.js';

export type HostStore = 'embedded' | 'redis' | 'direct';

export interface BridgeArgs {
  readonly store: HostStore;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly leaseMs: number;
}

/** Same room `i`: source room `src::g<i>` tubed to `dst::g<i>r1 … r<rooms-1>` (a star). */
export const sourceOf = (i: number): RoomKey => roomKey({ platform: 'src', channel: `g${i}` });
export const targetOf = (i: number, r: number): RoomKey => roomKey({ platform: 'dst', channel: `g${i}r${r}` });

export interface RunArgs {
  readonly runId: string;
  /** same rooms in the run, and rooms in each */
  readonly groups: number;
  readonly rooms: number;
  /** this host drives the groups i with i % hosts === index */
  readonly hosts: number;
  readonly index: number;
  /** clock() at which to begin */
  readonly startAt: number;
  /** closed: each group sends `perGroup` messages back to back. paced: `total` messages at `rate`/s overall, round robin over groups */
  readonly mode: 'closed' | 'paced';
  readonly perGroup?: number;
  readonly rate?: number;
  readonly total?: number;
}

export interface RunResult {
  readonly ingested: number;
  /** clock() when the last ingest of this host resolved */
  readonly doneAt: number;
}

export interface Taken {
  readonly latencies: number[];
  readonly sent: number;
  readonly lastAt: number;
  /** event-loop delay since the run began (perf_hooks histogram, 1 ms resolution), ms */
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  /** garbage collection since the run began: total and longest pause, ms */
  readonly gcMs: number;
  readonly gcMaxMs: number;
}

export interface HostApi {
  bridge(a: BridgeArgs): Promise<void>;
  shards(): Promise<number[]>;
  tubes(a: { groups: number; rooms: number }): Promise<void>;
  run(a: RunArgs): Promise<RunResult>;
  count(): Promise<number>;
  take(): Promise<Taken>;
  stopBridge(): Promise<void>;
  /** CPU time this process used so far, µs (user + system) */
  cpu(): Promise<number>;
}

const src = new NullBot('src');
const dst = new NullBot('dst');
let bridge: Bridge | undefined;
let store: HostStore = 'direct';
let dataDir: string | undefined;
let rooms = 2;

/** The direct-call baseline: the source handler calls the target's send itself. */
async function direct(ev: Inbound): Promise<void> {
  if (ev.kind !== 'post') return;
  const i = Number(ev.room.channel.slice(1));
  for (let r = 1; r < rooms; r++) {
    await dst.send({
      room: { platform: 'dst', channel: `g${i}r${r}` },
      author: ev.author,
      text: ev.text,
      attachments: [],
      origin: sourceOf(i),
      idempotencyKey: `${ev.id}:${r}`,
    });
  }
}

function ingest(ev: Inbound): Promise<void> {
  if (store === 'direct') return direct(ev);
  return (src.ctx as NonNullable<typeof src.ctx>).ingest(ev);
}

function post(runId: string, group: number, k: number, stamp: number): Inbound {
  return {
    kind: 'post',
    room: { platform: 'src', channel: `g${group}` },
    eventId: `${runId}-${k}`,
    id: `${runId}-${k}` as RemoteMessageId,
    author: { id: 'u1', name: 'Uma' },
    text: `hello from the benchmark @${stamp}`,
  };
}

const waitUntil = async (t: number): Promise<void> => {
  const d = t - clock();
  if (d > 0.5) await new Promise((r) => setTimeout(r, d));
};

/** Event-loop delay and GC pauses from the start of a run until its deliveries are taken. */
const delay = monitorEventLoopDelay({ resolution: 1 });
let gcMs = 0;
let gcMaxMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcMaxMs = Math.max(gcMaxMs, e.duration);
  }
});

async function run(a: RunArgs): Promise<RunResult> {
  await waitUntil(a.startAt);
  delay.reset();
  delay.enable();
  gcMs = 0;
  gcMaxMs = 0;
  gcObserver.observe({ entryTypes: ['gc'] });
  return drive(a);
}

async function drive(a: RunArgs): Promise<{ ingested: number; doneAt: number }> {
  rooms = a.rooms;
  const mine: number[] = [];
  for (let i = 0; i < a.groups; i++) if (i % a.hosts === a.index) mine.push(i);
  let ingested = 0;
  await waitUntil(a.startAt);
  if (a.mode === 'closed') {
    const per = a.perGroup ?? 0;
    await Promise.all(mine.map(async (g) => {
      for (let j = 0; j < per; j++) {
        await ingest(post(a.runId, g, j * a.groups + g, clock()));
        ingested++;
      }
    }));
  } else {
    const rate = a.rate ?? 1;
    const total = a.total ?? 0;
    await Promise.all(mine.map(async (g) => {
      let freeAt = 0;
      for (let k = g; k < total; k += a.groups) {
        const due = a.startAt + (k * 1000) / rate;
        await waitUntil(due);
        // Open loop: a message that had to wait for the previous one of its room counts from
        // when it was due; otherwise from when it was handed over (timer slack is not ours).
        const stamp = freeAt > due ? due : clock();
        await ingest(post(a.runId, g, k, stamp));
        freeAt = clock();
        ingested++;
      }
    }));
  }
  return { ingested, doneAt: clock() };
}

serve<HostApi>({
  async bridge(a) {
    store = a.store;
    src.take();
    dst.take();
    if (a.store === 'direct') return;
    dataDir = mkdtempSync(join(tmpdir(), 'sr-bench-'));
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      REDIS_PREFIX: a.prefix,
      LEASE_MS: String(a.leaseMs),
      ...(process.env.QUEUE_SHARDS ? { QUEUE_SHARDS: process.env.QUEUE_SHARDS } : {}),
      ...(process.env.DATA_SYNC ? { DATA_SYNC: process.env.DATA_SYNC } : {}),
      ...(a.store === 'redis' ? { REDIS_URL: a.redisUrl } : {}),
    });
    bridge = buildBridge(config, createLogger('silent'), [src, dst], createCommandRunner(), { leaseMs: a.leaseMs });
    await bridge.start();
  },
  async shards() {
    return bridge?.queue instanceof RedisQueue ? bridge.queue.heldShards() : [];
  },
  async tubes(a) {
    const b = bridge;
    if (!b) return;
    for (let i = 0; i < a.groups; i++) {
      await Promise.all(Array.from({ length: a.rooms - 1 }, (_, r) => b.tubes.create(sourceOf(i), targetOf(i, r + 1), 'bench')));
    }
  },
  run,
  async count() {
    return dst.sent;
  },
  async take() {
    const t = dst.take();
    delay.disable();
    gcObserver.disconnect();
    return {
      ...t,
      latencies: t.latencies.map((l) => round(l)),
      loopDelayP99: round(delay.percentile(99) / 1e6),
      loopDelayMax: round(delay.max / 1e6),
      gcMs: round(gcMs, 1),
      gcMaxMs: round(gcMaxMs),
    };
  },
  async cpu() {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  async stopBridge() {
    await bridge?.stop(5000);
    bridge = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  },
});
