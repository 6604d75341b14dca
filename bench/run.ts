/**
 * `npm run bench [-- --quick]`: relay throughput and latency through null platforms, on the
 * embedded store and on Redis, beside a baseline (a direct call) and Redis's own round trip.
 * Writes bench/results/latest.json, latest.md and latest.svg.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import type { RemoteMessageId, RoomKey } from '../src/model.js';
import { buildBridge } from '../src/setup.js';
import { connectRedis } from '../src/store/redis.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { NullBot } from './null-bot.js';
import { barChart } from './chart.js';

const quick = process.argv.includes('--quick');
const MESSAGES = quick ? 300 : 3000;

interface Row {
  readonly scenario: string;
  readonly store: string;
  readonly rooms: number;
  readonly acceptedPerSec: number;
  readonly deliveriesPerSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(3));
}

async function relayRun(store: 'embedded' | 'redis', rooms: number, redisUrl: string): Promise<Row> {
  const src = new NullBot('src');
  const dst = new NullBot('dst');
  const config = loadConfig({
    PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'sr-bench-')),
    REDIS_PREFIX: `b${randomBytes(3).toString('hex')}:`, ...(store === 'redis' ? { REDIS_URL: redisUrl } : {}),
  });
  const bridge = buildBridge(config, createLogger('silent'), [src, dst]);
  await bridge.start();
  const origin = 'src::room' as RoomKey;
  for (let i = 1; i < rooms; i++) await bridge.tubes.create(origin, `dst::r${i}` as RoomKey, 'bench');
  const expected = MESSAGES * (rooms - 1);
  const done = new Promise<void>((resolve) => {
    dst.onSend = () => {
      if (dst.sent >= expected) resolve();
    };
  });
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    await src.ctx!.ingest({ kind: 'post', room: { platform: 'src', channel: 'room' }, eventId: `e${i}`, id: `m${i}` as RemoteMessageId, author: { id: 'u', name: 'U' }, text: `hello @${performance.now()}` });
  }
  const accepted = performance.now() - t0;
  await done;
  const total = performance.now() - t0;
  await bridge.stop(1000);
  return {
    scenario: 'bridge', store, rooms,
    acceptedPerSec: Math.round(MESSAGES / (accepted / 1000)),
    deliveriesPerSec: Math.round(expected / (total / 1000)),
    p50: pct(dst.latencies, 50), p95: pct(dst.latencies, 95), p99: pct(dst.latencies, 99),
  };
}

async function baseline(rooms: number): Promise<Row> {
  const dst = new NullBot('dst');
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    for (let r = 1; r < rooms; r++) {
      await dst.send({ room: { platform: 'dst', channel: `r${r}` }, author: { id: 'u', name: 'U' }, text: `hello @${performance.now()}`, attachments: [], origin: 'src::room' as RoomKey, idempotencyKey: `${i}` });
    }
  }
  const total = performance.now() - t0;
  const expected = MESSAGES * (rooms - 1);
  return { scenario: 'baseline (direct call)', store: '-', rooms, acceptedPerSec: Math.round(MESSAGES / (total / 1000)), deliveriesPerSec: Math.round(expected / (total / 1000)), p50: pct(dst.latencies, 50), p95: pct(dst.latencies, 95), p99: pct(dst.latencies, 99) };
}

async function redisPing(url: string): Promise<Row> {
  const client = connectRedis(url);
  const lat: number[] = [];
  const n = MESSAGES * 2;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await client.ping();
    lat.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  client.disconnect();
  const rate = Math.round(n / (total / 1000));
  return { scenario: 'redis ping loop (ioredis)', store: 'redis', rooms: 0, acceptedPerSec: rate, deliveriesPerSec: rate, p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) };
}

async function main(): Promise<void> {
  const server = process.env.REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.REDIS_URL ?? server!.url;
  const rows: Row[] = [];
  try {
    rows.push(await redisPing(url));
    for (const rooms of quick ? [2, 6] : [2, 6, 20]) {
      rows.push(await baseline(rooms));
      rows.push(await relayRun('embedded', rooms, url));
      rows.push(await relayRun('redis', rooms, url));
    }
  } finally {
    await server?.stop();
  }
  const rss = Math.round(process.memoryUsage().rss / 1048576);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1073741824)} GiB, Node ${process.version}`;
  const header = '| scenario | store | rooms | accepted msg/s | deliveries/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|---|';
  const table = [header, ...rows.map((r) => `| ${r.scenario} | ${r.store} | ${r.rooms} | ${r.acceptedPerSec} | ${r.deliveriesPerSec} | ${r.p50} | ${r.p95} | ${r.p99} |`)].join('\n');
  const md = `Run ${new Date().toISOString()} on ${machine}${quick ? ' (quick)' : ''}; ${MESSAGES} messages per run; RSS after the run ${rss} MiB.\n\n${table}\n`;
  console.log(md);
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const name = quick ? 'quick' : 'latest';
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ machine, quick, messages: MESSAGES, rssMiB: rss, rows }, null, 2));
  writeFileSync(join(dir, `${name}.md`), md);
  writeFileSync(join(dir, `${name}.svg`), barChart(rows.filter((r) => r.scenario === 'bridge').map((r) => ({ label: `${r.store} ${r.rooms} rooms`, value: r.deliveriesPerSec })), 'Deliveries per second (null platforms)'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
