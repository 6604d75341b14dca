/** The raw cost of Redis on this machine: ioredis PING loops and redis-benchmark, same server as the relay runs. */
import { spawnSync } from 'node:child_process';
import { connectRedis } from '../src/store/redis.js';
import { clock, round, summarize } from './stats.js';

export interface RedisBaselineRow {
  readonly scenario: string;
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export async function redisBaseline(url: string, n: number): Promise<RedisBaselineRow[]> {
  const rows: RedisBaselineRow[] = [];
  const client = connectRedis(url);
  try {
    for (let i = 0; i < 500; i++) await client.ping();
    // One at a time: the round trip.
    const lat: number[] = [];
    let t0 = clock();
    for (let i = 0; i < n; i++) {
      const s = clock();
      await client.ping();
      lat.push(clock() - s);
    }
    let l = summarize(lat);
    rows.push({ scenario: 'ioredis PING loop, 1 at a time', opsPerSec: Math.round(n / ((clock() - t0) / 1000)), p50: l.p50, p95: l.p95, p99: l.p99 });
    // 32 loops at once, auto-pipelined on one connection (what concurrent relay work gets).
    const lat32: number[] = [];
    t0 = clock();
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = 0; i < n / 8; i++) {
        const s = clock();
        await client.ping();
        lat32.push(clock() - s);
      }
    }));
    l = summarize(lat32);
    rows.push({ scenario: 'ioredis PING, 32 loops auto-pipelined', opsPerSec: Math.round((n * 4) / ((clock() - t0) / 1000)), p50: l.p50, p95: l.p95, p99: l.p99 });
  } finally {
    client.disconnect();
  }
  // redis-benchmark, one client, no pipelining: the server's round trip without Node.
  const port = new URL(url).port || '6379';
  const host = new URL(url).hostname || '127.0.0.1';
  const rb = spawnSync('redis-benchmark', ['-h', host, '-p', port, '-t', 'ping_mbulk', '-n', String(n * 2), '-c', '1', '--csv'], { encoding: 'utf8' });
  const line = rb.stdout?.split('\n').find((x) => x.startsWith('"PING_MBULK"'));
  if (line) {
    const f = line.split(',').map((x) => Number(x.replace(/"/g, '')));
    rows.push({ scenario: 'redis-benchmark PING, 1 client', opsPerSec: Math.round(f[1] ?? 0), p50: round(f[4] ?? 0), p95: round(f[5] ?? 0), p99: round(f[6] ?? 0) });
  }
  return rows;
}
