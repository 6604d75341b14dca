/**
 * `npx tsx bench/teams-sdk.ts [--runs=9] [--label=name]`: what the Teams stack costs at start.
 *
 * For the Teams bot module (`bots/teams/index.ts`, through tsx) and for each Microsoft SDK
 * package it imports, a fresh Node process imports it alone and reports the import time and the
 * resident memory it added (RSS after the import and a full GC, minus RSS before the import).
 * Medians of `--runs` processes. Also the disk size of the SDK packages' dependency closure in
 * node_modules. Prints a table and writes bench/results/teams-sdk-<label>.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 9);
const label = args.find((a) => a.startsWith('--label='))?.slice('--label='.length) ?? 'agents-sdk';

/** The Microsoft SDK packages the Teams bot depends on directly (from package.json). */
function sdkPackages(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
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

function sample(specifier: string): Sample {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
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

/** Package count and MB on disk of the runtime dependency closure of `roots`. */
function closure(roots: readonly string[]): { packages: number; mb: number } {
  const seen = new Set<string>();
  const queue = roots.map((name) => resolvePackage(name, ROOT)).filter((d): d is string => !!d);
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

const targets = [join(ROOT, 'bots/teams/index.ts'), ...sdkPackages()];
const rows = targets.map((target) => {
  sample(target); // warm the file system cache
  const samples = Array.from({ length: runs }, () => sample(target));
  return {
    module: target.startsWith(ROOT) ? target.slice(ROOT.length + 1) : target,
    importMs: Math.round(median(samples.map((s) => s.ms))),
    rssMb: Math.round(median(samples.map((s) => s.rssMb))),
    addedRssMb: Math.round(median(samples.map((s) => s.addedMb))),
  };
});
const disk = closure(sdkPackages());
const result = { label, node: process.version, runs, measuredAt: new Date().toISOString(), rows, sdkClosure: disk };

process.stdout.write(`Teams stack (${label}), medians of ${runs} fresh processes, Node ${process.version}\n\n`);
process.stdout.write('| module | import ms | RSS after import MB | RSS added MB |\n|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.module} | ${r.importMs} | ${r.rssMb} | ${r.addedRssMb} |\n`);
process.stdout.write(`\nSDK dependency closure: ${disk.packages} packages, ${disk.mb} MB on disk\n`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, `bench/results/teams-sdk-${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
