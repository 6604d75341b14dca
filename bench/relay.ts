/**
 * Relay throughput and latency through null platforms (no network), in bridge processes forked
 * from here (host.ts): the embedded store, Redis with 1, 2 or 4 processes sharing one
 * redis-server, and the direct-call baseline.
 *
 * Load: `groups` same rooms of `rooms` rooms each (a source room tubed to rooms-1 targets).
 * Every source room sends in order, one message after the other (as a platform delivers one
 * room's events), and the same rooms send concurrently.
 *  - throughput: each source room sends back to back (closed loop); accepted msg/s is how fast
 *    ingest accepted them, deliveries/s how fast the copies reached the target send calls;
 *  - latency: an open loop at a fixed offered load (the goal of 5,000 deliveries/s per
 *    process, or 80 % of the measured maximum when that is lower), p50/p95/p99 from the moment
 *    an inbound event is due to the moment its copy reaches send.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connectRedis } from '../src/store/redis.js';
import type { HostApi, HostStore, RunResult } from './host.js';
import { Child } from './rpc.js';
import { clock, round, summarize, until } from './stats.js';

export const GOAL_PER_PROCESS = 5000;
export const P99_GOAL_MS = 10;

export interface RelayRow {
  readonly scenario: string;
  readonly store: string;
  readonly processes: number;
  readonly rooms: number;
  readonly groups: number;
  readonly acceptedPerSec: number;
  readonly deliveriesPerSec: number;
  /** offered deliveries/s for the latency figures, and what was delivered meanwhile */
  readonly load: number;
  readonly loadDelivered: number;
  /** the highest offered load tried (the one above, then 0.6× steps) served at p99 < 10 ms; 0: none */
  readonly underP99Goal: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Redis commands the server processed per delivery in the throughput run (all processes, leases included) */
  readonly redisCommandsPerDelivery?: number;
  /** CPU time per delivery in the throughput run, µs: the bridge processes (load generation included) and redis-server */
  readonly nodeCpuUsPerDelivery: number;
  /** during the latency run (worst process): event-loop delay p99, longest GC pause, ms; share of time in GC, % */
  readonly loopDelayP99: number;
  readonly gcMaxMs: number;
  readonly gcPercent: number;
  /** share of the throughput run's deliveries made by each process, % */
  readonly sharePerProcess: number[];
  readonly redisCpuUsPerDelivery?: number;
}

export interface RelaySpec {
  readonly store: HostStore;
  readonly processes: number;
  readonly rooms: number;
  readonly groups: number;
  /** deliveries in the throughput run */
  readonly deliveries: number;
  /** seconds of the paced latency run */
  readonly pacedSeconds: number;
  /** lower loads to try (0.6× each) when p99 misses 10 ms at the first */
  readonly searchSteps: number;
}

export class HostPool {
  private constructor(readonly hosts: Child<HostApi>[]) {}

  static async start(n: number): Promise<HostPool> {
    const hosts = Array.from({ length: n }, () => Child.spawn<HostApi>(join(import.meta.dirname, 'host.ts')));
    await Promise.all(hosts.map((h) => h.call('count')));
    return new HostPool(hosts);
  }

  async close(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.close()));
  }
}

export async function relayScenario(pool: HostPool, redisUrl: string, spec: RelaySpec): Promise<RelayRow> {
  const hosts = pool.hosts.slice(0, spec.processes);
  if (hosts.length < spec.processes) throw new Error('not enough bench hosts');
  const prefix = `b${randomBytes(4).toString('hex')}:`;
  const leaseMs = 1000;
  for (const h of hosts) await h.call('bridge', { store: spec.store, redisUrl, prefix, leaseMs });
  try {
    if (spec.store === 'redis' && spec.processes > 1) {
      // Wait until the shards are spread evenly: every process delivers its share.
      await until(async () => {
        const held = await Promise.all(hosts.map((h) => h.call('shards')));
        const all = held.flat();
        const fair = Math.floor(8 / spec.processes);
        return new Set(all).size === 8 && all.length === 8 && held.every((s) => s.length >= fair);
      }, 20_000, 'shard balance');
    }
    await hosts[0]?.call('tubes', { groups: spec.groups, rooms: spec.rooms });
    const targets = spec.rooms - 1;
    const runAll = async (mode: 'closed' | 'paced', perGroup: number, rate: number, total: number): Promise<{ results: RunResult[]; startAt: number; expected: number }> => {
      const startAt = clock() + 100;
      const runId = randomBytes(3).toString('hex');
      const results = await Promise.all(hosts.map((h, index) =>
        h.call('run', { runId, groups: spec.groups, rooms: spec.rooms, hosts: hosts.length, index, startAt, mode, perGroup, rate, total }),
      ));
      const ingested = results.reduce((s, r) => s + r.ingested, 0);
      const expected = ingested * targets;
      await until(async () => (await Promise.all(hosts.map((h) => h.call('count')))).reduce((s, c) => s + c, 0) >= expected, 120_000, `${expected} deliveries`);
      return { results, startAt, expected };
    };
    const take = async () => {
      const taken = await Promise.all(hosts.map((h) => h.call('take')));
      return {
        latencies: taken.flatMap((t) => t.latencies),
        lastAt: Math.max(...taken.map((t) => t.lastAt)),
        sent: taken.map((t) => t.sent),
        loopDelayP99: Math.max(...taken.map((t) => t.loopDelayP99)),
        gcMaxMs: Math.max(...taken.map((t) => t.gcMaxMs)),
        gcMs: taken.reduce((s, t) => s + t.gcMs, 0),
      };
    };

    // Warm-up (JIT, connections, caches), not measured.
    await runAll('closed', 3, 0, 0);
    await take();

    // Throughput: closed loop.
    const perGroup = Math.max(1, Math.round(spec.deliveries / targets / spec.groups));
    const cpu = async (): Promise<number> => (await Promise.all(hosts.map((h) => h.call('cpu')))).reduce((a, b) => a + b, 0);
    const redisBefore = spec.store === 'redis' ? await redisCounters(redisUrl) : { commands: 0, cpuUs: 0 };
    const cpuBefore = await cpu();
    const closed = await runAll('closed', perGroup, 0, 0);
    const cpuUsed = (await cpu()) - cpuBefore;
    const redisAfter = spec.store === 'redis' ? await redisCounters(redisUrl) : { commands: 0, cpuUs: 0 };
    const closedTaken = await take();
    const messages = perGroup * spec.groups;
    const acceptedMs = Math.max(...closed.results.map((r) => r.doneAt)) - closed.startAt;
    const deliveredMs = closedTaken.lastAt - closed.startAt;
    const acceptedPerSec = Math.round(messages / (acceptedMs / 1000));
    const deliveriesPerSec = Math.round(closed.expected / (deliveredMs / 1000));

    // Latency: open loop at the goal load, or 80 % of the maximum when that is lower.
    const load = Math.round(Math.min(GOAL_PER_PROCESS * spec.processes, 0.8 * deliveriesPerSec));
    const rate = load / targets;
    const total = Math.max(spec.groups, Math.round(rate * spec.pacedSeconds));
    const paced = await runAll('paced', 0, rate, total);
    const pacedTaken = await take();
    const lat = summarize(pacedTaken.latencies);
    const pacedMs = pacedTaken.lastAt - paced.startAt;
    const loadDelivered = Math.round(paced.expected / (pacedMs / 1000));

    // The highest load (of a few, each 0.6 of the last) served at p99 under 10 ms.
    let underP99Goal: number | undefined = lat.p99 < P99_GOAL_MS ? load : undefined;
    for (let tryLoad = Math.round(load * 0.6), n = 0; underP99Goal === undefined && n < spec.searchSteps; tryLoad = Math.round(tryLoad * 0.6), n++) {
      const r = tryLoad / targets;
      await runAll('paced', 0, r, Math.max(spec.groups, Math.round(r * spec.pacedSeconds)));
      if (summarize((await take()).latencies).p99 < P99_GOAL_MS) underP99Goal = tryLoad;
    }
    return {
      scenario: spec.store === 'direct' ? 'baseline (direct call)' : 'bridge',
      store: spec.store === 'direct' ? '-' : spec.store,
      processes: spec.processes,
      rooms: spec.rooms,
      groups: spec.groups,
      acceptedPerSec,
      deliveriesPerSec,
      load,
      loadDelivered,
      underP99Goal: underP99Goal ?? 0,
      p50: lat.p50,
      p95: lat.p95,
      p99: lat.p99,
      max: lat.max,
      loopDelayP99: pacedTaken.loopDelayP99,
      gcMaxMs: pacedTaken.gcMaxMs,
      gcPercent: round((100 * pacedTaken.gcMs) / hosts.length / pacedMs, 1),
      nodeCpuUsPerDelivery: round(cpuUsed / closed.expected, 1),
      sharePerProcess: closedTaken.sent.map((n) => Math.round((100 * n) / closed.expected)),
      ...(spec.store === 'redis'
        ? {
            redisCommandsPerDelivery: round((redisAfter.commands - redisBefore.commands) / closed.expected, 1),
            redisCpuUsPerDelivery: round((redisAfter.cpuUs - redisBefore.cpuUs) / closed.expected, 1),
          }
        : {}),
    };
  } finally {
    await Promise.all(hosts.map((h) => h.call('stopBridge')));
  }
}

async function redisCounters(url: string): Promise<{ commands: number; cpuUs: number }> {
  const c = connectRedis(url);
  try {
    const info = await c.info();
    const num = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return { commands: num('total_commands_processed'), cpuUs: Math.round((num('used_cpu_user') + num('used_cpu_sys')) * 1e6) };
  } finally {
    c.disconnect();
  }
}
