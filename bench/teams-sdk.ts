/**
 * `npx tsx bench/teams-sdk.ts [--runs=9] [--label=name] [--baseline=DIR]`: what the Teams stack
 * costs at start.
 *
 * For the Teams bot module (`bots/teams/index.ts`, through tsx) and for each Microsoft SDK
 * package it imports, a fresh Node process imports it alone and reports the import time and the
 * resident memory it added (RSS after the import and a full GC, minus RSS before the import).
 * Medians of `--runs` processes. Also the disk size of the SDK packages' dependency closure in
 * node_modules. Prints a table and writes bench/results/teams-sdk-<label>.json.
 *
 * `--baseline=DIR`: also the SDK packages listed in DIR/package.json, installed in DIR (e.g. the
 * botbuilder stack this bot used before: `{"dependencies":{"botbuilder":"4.23.3"}}` and
 * `npm install` there). Its runs alternate with this project's, so both see the same machine load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 9);
const label = args.find((a) => a.startsWith('--label='))?.slice('--label='.length) ?? 'agents-sdk';
const baseline = args.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);

/** The Microsoft SDK packages a project depends on directly (from its package.json). */
function sdkPackages(dir = ROOT): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {}).filter((name) => /^(botbuilder|botframework-|@microsoft\/agents-)/.test(name));
}

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
  readonly addedMb: number;
}

const CHILD = `
const before = process.memoryUsage().rss;
const t0 = performance.now();
await import(process.env.BENCH_IMPORT);
const ms = performance.now() - t0;
globalThis.gc();
const rss = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ ms, rssMb: rss / 2 ** 20, addedMb: (rss - before) / 2 ** 20 }));
`;

/** One fresh process that imports `specifier` from `cwd` (TypeScript files through tsx). */
function sample(specifier: string, cwd: string): Sample {
  const loader = specifier.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const out = execFileSync(process.execPath, [...loader, '--expose-gc', '--input-type=module', '-e', CHILD], {
    cwd,
    env: { ...process.env, BENCH_IMPORT: specifier },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Sample;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Where Node would find package `name` from directory `from`. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Bytes of a package directory, its own nested node_modules excluded (they are counted as packages). */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

/** Package count and MB on disk of the runtime dependency closure of `roots`, installed in `dir`. */
function closure(roots: readonly string[], dir = ROOT): { packages: number; mb: number } {
  const seen = new Set<string>();
  const queue = roots.map((name) => resolvePackage(name, dir)).filter((d): d is string => !!d);
  while (queue.length) {
    const dir = queue.pop() ?? '';
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const found = resolvePackage(dep, dir);
      if (found) queue.push(found);
    }
  }
  const bytes = [...seen].reduce((sum, dir) => sum + dirBytes(dir), 0);
  return { packages: seen.size, mb: Math.round(bytes / 2 ** 20) };
}

interface Target {
  readonly module: string;
  readonly specifier: string;
  readonly cwd: string;
}

const targets: Target[] = [
  { module: 'bots/teams/index.ts', specifier: join(ROOT, 'bots/teams/index.ts'), cwd: ROOT },
  ...sdkPackages().map((name) => ({ module: name, specifier: name, cwd: ROOT })),
  ...(baseline ? sdkPackages(baseline).map((name) => ({ module: `${name} (baseline)`, specifier: name, cwd: baseline })) : []),
];
/** 1-minute load average before the run: import times scale with it, so compare rows of one run. */
const loadBefore = Math.round((loadavg()[0] ?? 0) * 10) / 10;
for (const t of targets) sample(t.specifier, t.cwd); // warm the file system cache
const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
for (let i = 0; i < runs; i++) for (const t of targets) samples.get(t)?.push(sample(t.specifier, t.cwd));
const rows = targets.map((t) => {
  const s = samples.get(t) ?? [];
  return {
    module: t.module,
    importMs: Math.round(median(s.map((x) => x.ms))),
    rssMb: Math.round(median(s.map((x) => x.rssMb))),
    addedRssMb: Math.round(median(s.map((x) => x.addedMb))),
  };
});
const disk = closure(sdkPackages());
const baselineDisk = baseline ? closure(sdkPackages(baseline), baseline) : undefined;
const result = { label, node: process.version, runs, measuredAt: new Date().toISOString(), loadBefore, rows, sdkClosure: disk, ...(baselineDisk ? { baselineClosure: baselineDisk } : {}) };

process.stdout.write(`Teams stack (${label}), medians of ${runs} fresh processes, Node ${process.version}, load ${loadBefore}\n\n`);
process.stdout.write('| module | import ms | RSS after import MB | RSS added MB |\n|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.module} | ${r.importMs} | ${r.rssMb} | ${r.addedRssMb} |\n`);
process.stdout.write(`\nSDK dependency closure: ${disk.packages} packages, ${disk.mb} MB on disk\n`);
if (baselineDisk) process.stdout.write(`baseline: ${baselineDisk.packages} packages, ${baselineDisk.mb} MB on disk\n`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, `bench/results/teams-sdk-${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
