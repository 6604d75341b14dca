/**
 * `npm run bench -- --only=embedded`: the zero-config default.
 *  - start-up: time from `npm start` (the compiled build, as production runs it) to the first
 *    200 from /healthz, and the bridge process's RSS once idle: web only, then with every
 *    platform configured against its local fake (as the memory section does);
 *  - scale: one process on the embedded store relays 1M messages (32 rooms of 2, null
 *    platforms); RSS, V8 heap, database size and the longest event-loop stall after 100k and
 *    after 1M.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/redis-server.js';
import { backends } from './memory.js';
import type { MemoryHostApi } from './memory-host.js';
import { Child } from './rpc.js';
import { round, sleep } from './stats.js';

export interface StartRow {
  readonly platforms: string;
  readonly secondsToHealthz: number;
  /** CPU the bridge process used until /healthz answered: what the start costs on a busy machine */
  readonly cpuSecondsToHealthz: number;
  readonly idleRssMiB: number;
}
export interface ScaleRow {
  readonly messages: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly dbMiB: number;
  readonly msgPerSec: number;
  readonly maxStallMs: number;
  readonly loopP99Ms: number;
}
export interface EmbeddedResult {
  readonly start: StartRow[];
  readonly scale: ScaleRow[];
}

const root = join(import.meta.dirname, '..');
const mib = (b: number): number => round(b / 1048576, 1);

/** RSS of a process from /proc (bytes). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** The bridge: the node process npm runs (`exec node dist/main.js`). */
function bridgeUnder(npmPid: number): number {
  const children = readFileSync(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const bridge = children.find((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('dist/main.js'));
  if (!bridge) throw new Error('bridge process not found under npm');
  return bridge;
}

/** `npm start` with `env`; seconds (and bridge CPU seconds) until /healthz answers 200, then the idle bridge's RSS. */
async function startOnce(env: Record<string, string>): Promise<{ seconds: number; cpu: number; rss: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sr-bench-start-'));
  const t0 = performance.now();
  // npm execs the bridge (`exec node dist/main.js`): the one node process under npm is it.
  const npm = spawn('npm', ['start'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (performance.now() - t0 > 120_000) throw new Error('no /healthz within 120 s');
      await sleep(10);
    }
    const seconds = (performance.now() - t0) / 1000;
    const bridge = bridgeUnder(npm.pid ?? 0);
    const cpu = cpuOf(bridge);
    await sleep(5000); // idle: connections settled, start-up garbage collectable
    return { seconds, cpu, rss: rssOf(bridge) };
  } finally {
    npm.kill('SIGTERM');
    await new Promise((r) => npm.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) n += f.isFile() ? statSync(join(dir, f.name)).size : 0;
  return n;
}

export async function embeddedBench(quick: boolean, log: (s: string) => void): Promise<EmbeddedResult> {
  // Built before timing, so no start below includes a build.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
  const start: StartRow[] = [];
  const runs = quick ? 1 : 3;
  const best = async (label: string, env: Record<string, string>): Promise<void> => {
    const tries: Array<{ seconds: number; cpu: number; rss: number }> = [];
    for (let i = 0; i < runs; i++) tries.push(await startOnce(env));
    tries.sort((a, b) => a.seconds - b.seconds);
    const median = tries[Math.floor(tries.length / 2)] ?? { seconds: 0, cpu: 0, rss: 0 };
    start.push({ platforms: label, secondsToHealthz: round(median.seconds, 2), cpuSecondsToHealthz: round(median.cpu, 2), idleRssMiB: mib(median.rss) });
    log(`embedded: npm start → /healthz (${label}): ${round(median.seconds, 2)} s (bridge CPU ${round(median.cpu, 2)} s), idle RSS ${mib(median.rss)} MiB`);
  };
  await best('web only', {});
  const { up, skipped } = await backends(log);
  try {
    await best(`all configured (${up.map((b) => b.platform).join(', ')}, web)${skipped.length ? `; not here: ${skipped.join(', ')}` : ''}`, Object.assign({}, ...up.map((b) => b.env)));
  } finally {
    for (const b of up) await b.close().catch(() => undefined);
  }

  const scale: ScaleRow[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sr-bench-scale-'));
  const port = await freePort();
  const host = Child.spawn<MemoryHostApi>(join(import.meta.dirname, 'memory-host.ts'), { PORT: String(port), LOG_LEVEL: 'silent', DATA_DIR: dataDir, REDIS_URL: '' });
  try {
    await host.call('start');
    await host.call('relay', { messages: 2000, groups: 32 });
    const checkpoints = quick ? [10_000, 50_000] : [100_000, 1_000_000];
    let done = 0;
    for (const at of checkpoints) {
      let seconds = 0;
      await host.call('loop');
      while (done < at) {
        const n = Math.min(100_000, at - done);
        seconds += (await host.call('relay', { messages: n, groups: 32 })).seconds;
        done += n;
      }
      const loop = await host.call('loop');
      const m = await host.call('measure');
      const row = { messages: at, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), dbMiB: mib(dirBytes(dataDir)), msgPerSec: Math.round((at - (scale.at(-1)?.messages ?? 0)) / seconds), maxStallMs: round(loop.maxMs, 1), loopP99Ms: round(loop.p99Ms, 1) };
      scale.push(row);
      log(`embedded: after ${at} messages: RSS ${row.rssMiB} MiB, heap ${row.heapMiB} MiB, database ${row.dbMiB} MiB, ${row.msgPerSec} msg/s, longest stall ${row.maxStallMs} ms`);
    }
    await host.call('stop');
  } finally {
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { start, scale };
}
