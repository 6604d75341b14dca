/**
 * `npm run bench [-- --quick] [--only=relay,registry,sdk,memory,embedded] [--stores=embedded,redis,direct] [--render=latest]`
 *
 *  1. relay throughput and latency through null platforms: embedded store, Redis with 1, 2 and
 *     4 bridge processes, same rooms of 2, 6 and 20 rooms (relay.ts, host.ts);
 *  2. baselines in the same run: the direct call instead of the bridge, and Redis's own round
 *     trip (ioredis PING loops, redis-benchmark) on the same server (redis-baseline.ts);
 *  3. the tube registry at 1k, 100k and 1M tubes: bytes per tube, cold lookup (registry.ts);
 *  4. Discord fake → Telegram fake through the real SDKs and the bridge (sdk.ts);
 *  5. resident memory, idle with every platform configured and after 100k messages (memory.ts).
 *
 * Prints the tables and writes bench/results/latest.{json,md,svg} (--quick: quick.*).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { barCharts, type Panel } from './chart.js';
import { embeddedBench, type EmbeddedResult } from './embedded.js';
import { memoryBench, type MemoryResult } from './memory.js';
import { redisBaseline, type RedisBaselineRow } from './redis-baseline.js';
import { registryBench, type RegistryRow } from './registry.js';
import { GOAL_PER_PROCESS, HostPool, relayScenario, type RelayRow, type RelaySpec } from './relay.js';
import { sdkBench, type SdkRow } from './sdk.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const want = (section: string): boolean => !only || only.includes(section);
/** --stores=redis,direct: relay scenarios of these stores only (embedded, redis, direct) */
const stores = args.find((a) => a.startsWith('--stores='))?.slice('--stores='.length).split(',');
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

const SIZES = quick ? [1000, 10_000] : [1000, 100_000, 1_000_000];
const MEMORY_MESSAGES = quick ? 10_000 : 100_000;
const ROOMS = [2, 6, 20];
const GROUPS = 32;

interface Results {
  readonly machine: string;
  readonly redis: string;
  readonly quick: boolean;
  readonly startedAt: string;
  seconds: number;
  /** 1-minute load average before the run: anything well above 0 means something else competed for the CPUs */
  readonly loadBefore: number;
  readonly goal: string;
  redisBaseline: RedisBaselineRow[];
  relay: RelayRow[];
  registry: RegistryRow[];
  sdk: SdkRow[];
  memory?: MemoryResult;
  embedded?: EmbeddedResult;
}

function relaySpecs(): RelaySpec[] {
  const deliveries = quick ? 5000 : 60_000;
  const pacedSeconds = quick ? 1 : 5;
  const searchSteps = quick ? 0 : 3;
  const specs: RelaySpec[] = [];
  for (const rooms of ROOMS) {
    for (const store of ['direct', 'embedded', 'redis'] as const) specs.push({ store, processes: 1, rooms, groups: GROUPS, deliveries, pacedSeconds, searchSteps });
  }
  for (const processes of [2, 4]) {
    for (const rooms of quick ? [6] : ROOMS) specs.push({ store: 'redis', processes, rooms, groups: GROUPS, deliveries: deliveries * (quick ? 1 : 2), pacedSeconds, searchSteps });
  }
  // One same room of two rooms: everything goes through one lane (per-room order).
  for (const store of ['embedded', 'redis'] as const) specs.push({ store, processes: 1, rooms: 2, groups: 1, deliveries: deliveries / 5, pacedSeconds, searchSteps });
  return specs.filter((x) => !stores || stores.includes(x.store));
}

const fmt = (n: number | undefined): string => (n === undefined ? '–' : String(n));

function markdown(r: Results): string {
  const out: string[] = [];
  out.push(`Run ${r.startedAt} on ${r.machine}; ${r.redis}${r.quick ? ' (--quick)' : ''}; ${r.seconds} s; load average before the run ${r.loadBefore}.`);
  if (r.relay.length) {
    const base = new Map(r.relay.filter((x) => x.store === '-').map((x) => [`${x.rooms}/${x.groups}`, x.deliveriesPerSec]));
    out.push('\n### Relay through null platforms\n');
    out.push(`${r.goal}. Latency is from the inbound event to the target platform's send call, measured at the offered load (open loop).\n`);
    out.push('| scenario | store | processes | rooms per same room | same rooms | accepted msg/s | deliveries/s (max) | baseline ÷ bridge | offered deliveries/s | p50 ms | p95 ms | p99 ms | deliveries/s at p99 < 10 ms |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of r.relay) {
      const b = base.get(`${x.rooms}/${x.groups}`) ?? base.get(`${x.rooms}/${GROUPS}`);
      const ratio = x.store === '-' || !b ? '–' : `${Math.round(b / x.deliveriesPerSec)}×`;
      const under = x.underP99Goal ? String(x.underP99Goal) : r.quick ? 'not searched' : `< ${Math.round(x.load * 0.6 ** 3)}`;
      out.push(`| ${x.scenario} | ${x.store} | ${x.processes} | ${x.rooms} | ${x.groups} | ${x.acceptedPerSec} | ${x.deliveriesPerSec} | ${ratio} | ${x.load} | ${x.p50} | ${x.p95} | ${x.p99} | ${under} |`);
    }
    out.push('\nWhat one delivery costs in the throughput run (CPU of the bridge processes, load generation included, and of redis-server; commands Redis executed, lease renewals included):\n');
    out.push('| store | processes | rooms per same room | same rooms | bridge CPU µs | redis-server CPU µs | Redis commands | deliveries made by each process | at the offered load: time in GC | longest GC pause ms | event-loop delay p99 ms |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of r.relay.filter((y) => y.store !== '-')) {
      out.push(`| ${x.store} | ${x.processes} | ${x.rooms} | ${x.groups} | ${x.nodeCpuUsPerDelivery} | ${fmt(x.redisCpuUsPerDelivery)} | ${fmt(x.redisCommandsPerDelivery)} | ${x.sharePerProcess.map((p) => `${p} %`).join(' / ')} | ${x.gcPercent} % | ${x.gcMaxMs} | ${x.loopDelayP99} |`);
    }
  }
  if (r.redisBaseline.length) {
    out.push('\n### Redis round trip on the same server\n');
    out.push('| scenario | ops/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|');
    for (const x of r.redisBaseline) out.push(`| ${x.scenario} | ${x.opsPerSec} | ${x.p50} | ${x.p95} | ${x.p99} |`);
  }
  if (r.registry.length) {
    out.push('\n### Tube registry in Redis (same rooms of 4 rooms in a chain; lookup = Tubes.component on a cold cache)\n');
    out.push('| tubes | rooms | Redis memory MiB | bytes per tube | lookup p50 ms | lookup p99 ms | bulk load s |\n|---|---|---|---|---|---|---|');
    for (const x of r.registry) out.push(`| ${x.tubes} | ${x.rooms} | ${x.usedMemoryMiB} | ${x.bytesPerTube} | ${x.p50} | ${x.p99} | ${x.loadSeconds} |`);
  }
  if (r.sdk.length) {
    out.push('\n### Discord fake → Telegram fake through discord.js, the bridge and node-telegram-bot-api\n');
    out.push('| store | messages | p50 ms | p95 ms | p99 ms | burst | burst msg/s |\n|---|---|---|---|---|---|---|');
    for (const x of r.sdk) out.push(`| ${x.store} | ${x.messages} | ${x.latency.p50} | ${x.latency.p95} | ${x.latency.p99} | ${x.burst} | ${x.burstPerSec} |`);
  }
  if (r.memory) {
    out.push(`\n### Memory of one bridge process (platforms configured: ${r.memory.platforms.join(', ')}${r.memory.skipped.length ? `; not available here: ${r.memory.skipped.join(', ')}` : ''})\n`);
    out.push('| store | stage | RSS MiB | V8 heap MiB |\n|---|---|---|---|');
    for (const x of r.memory.rows) out.push(`| ${x.store} | ${x.stage} | ${x.rssMiB} | ${x.heapMiB} |`);
  }
  if (r.embedded) {
    out.push('\n### The embedded store (SQLite), the zero-config default\n');
    out.push('From `npm start` (the compiled build) to the first 200 from /healthz, and the bridge process\'s RSS 5 s later (median of the runs):\n');
    out.push('| platforms | s to /healthz | bridge CPU s until then | idle RSS MiB |\n|---|---|---|---|');
    for (const x of r.embedded.start) out.push(`| ${x.platforms} | ${x.secondsToHealthz} | ${x.cpuSecondsToHealthz ?? '–'} | ${x.idleRssMiB} |`);
    out.push('\nOne process relaying through null platforms (32 same rooms of 2), measured after garbage collection:\n');
    out.push('| relayed messages | RSS MiB | V8 heap MiB | database MiB | msg/s (this stretch) | longest event-loop stall ms | event-loop delay p99 ms |\n|---|---|---|---|---|---|---|');
    for (const x of r.embedded.scale) out.push(`| ${x.messages} | ${x.rssMiB} | ${x.heapMiB} | ${x.dbMiB} | ${x.msgPerSec} | ${x.maxStallMs} | ${x.loopP99Ms} |`);
  }
  return `${out.join('\n')}\n`;
}

function chart(r: Results): string {
  const label = (x: RelayRow): string => `${x.store === '-' ? 'direct' : x.store}${x.processes > 1 ? ` ×${x.processes}` : ''}, ${x.rooms} rooms${x.groups === 1 ? ', 1 same room' : ''}`;
  const bridge = r.relay.filter((x) => x.store !== '-');
  const panels: Panel[] = [
    {
      title: 'Relay: deliveries per second (max, null platforms)',
      bars: bridge.map((x) => ({ label: label(x), value: x.deliveriesPerSec, flag: x.deliveriesPerSec < GOAL_PER_PROCESS * x.processes })),
      mark: { value: GOAL_PER_PROCESS, label: `goal ${GOAL_PER_PROCESS}/s per process` },
    },
    {
      title: 'Relay: p99 latency at the offered load (ms)',
      bars: bridge.map((x) => ({ label: `${label(x)} @${x.load}/s`, value: x.p99, flag: x.p99 >= 10 })),
      mark: { value: 10, label: 'goal 10 ms' },
      unit: ' ms',
    },
  ];
  if (r.registry.length) {
    panels.push({ title: 'Registry: cold same-room lookup p99 (ms) by tubes in Redis', bars: r.registry.map((x) => ({ label: `${x.tubes} tubes`, value: x.p99 })), unit: ' ms' });
  }
  return barCharts(panels);
}

function describeMachine(): { machine: string; redis: string } {
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'cpu';
  const machine = `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1073741824)} GiB RAM, Linux, Node ${process.version}`;
  let redis = 'redis-server';
  try {
    redis = `Redis ${/v=([\d.]+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'}`;
  } catch {
    // reported as unknown
  }
  return { machine, redis: `${redis} on loopback` };
}

/** Write the tables and the chart of `results` (also used by --render to redo them from a saved JSON). */
function write(results: Results, name: string): void {
  const md = markdown(results);
  console.log(md);
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), md);
  writeFileSync(join(dir, `${name}.svg`), chart(results));
  log(`wrote bench/results/${name}.json, ${name}.md, ${name}.svg`);
}

async function main(): Promise<void> {
  const render = args.find((a) => a.startsWith('--render='))?.slice('--render='.length);
  if (render) {
    // --render=latest: redo latest.md and latest.svg from latest.json, without running anything.
    write(JSON.parse(readFileSync(join(import.meta.dirname, 'results', `${render}.json`), 'utf8')) as Results, render);
    return;
  }
  const started = Date.now();
  const server = process.env.REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.REDIS_URL ?? (server?.url as string);
  const results: Results = {
    ...describeMachine(),
    quick,
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    loadBefore: Number((loadavg()[0] ?? 0).toFixed(2)),
    goal: `Goal: the relay on Redis sustains ${GOAL_PER_PROCESS} deliveries/s per process at p99 < 10 ms`,
    redisBaseline: [],
    relay: [],
    registry: [],
    sdk: [],
  };
  try {
    if (want('relay')) {
      results.redisBaseline = await redisBaseline(url, quick ? 5000 : 20_000);
      for (const x of results.redisBaseline) log(`redis: ${x.scenario}: ${x.opsPerSec}/s, p99 ${x.p99} ms`);
      const specs = relaySpecs();
      const pool = await HostPool.start(Math.max(...specs.map((s) => s.processes)));
      try {
        for (const spec of specs) {
          const row = await relayScenario(pool, url, spec);
          results.relay.push(row);
          log(`relay: ${row.scenario} ${row.store} ×${row.processes}, ${row.rooms} rooms ×${row.groups}: ${row.acceptedPerSec} msg/s accepted, ${row.deliveriesPerSec} deliveries/s; at ${row.load}/s p50 ${row.p50} p99 ${row.p99} ms`);
        }
      } finally {
        await pool.close();
      }
    }
    if (want('registry')) results.registry = await registryBench(SIZES, quick ? 100 : 300, log);
    if (want('sdk')) {
      for (const store of ['redis', 'embedded'] as const) {
        const row = await sdkBench(store, url, quick ? 50 : 300, quick ? 100 : 500);
        results.sdk.push(row);
        log(`sdk (${store}): p50 ${row.latency.p50} ms, p99 ${row.latency.p99} ms, burst ${row.burstPerSec} msg/s`);
      }
    }
    if (want('memory')) results.memory = await memoryBench(url, MEMORY_MESSAGES, quick, log);
    if (want('embedded')) results.embedded = await embeddedBench(quick, log);
  } finally {
    await server?.stop();
  }
  results.seconds = Math.round((Date.now() - started) / 1000);
  // A partial run (--only) keeps its own files, so it never replaces the full run's.
  write(results, quick ? 'quick' : only ? only.join('+') : 'latest');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
