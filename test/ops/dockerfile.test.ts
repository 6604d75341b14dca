/**
 * The Dockerfile cannot be built on these machines (no Docker daemon), so its steps are checked
 * against the tree they run on: what it copies exists and is not ignored, the scripts it runs
 * exist, the build stage has every input of the build and makes what the runtime stage takes,
 * files the compiled code reads next to itself are copied there, and the image runs unprivileged
 * with a health check.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

interface Step {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly base: string;
  readonly steps: Step[];
}

/** Instructions by stage, continuation lines joined, comments dropped. */
function parse(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, base = '', name = String(stages.length)] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ name, base, steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

interface Copy {
  readonly from?: string;
  readonly sources: string[];
  readonly dest: string;
}
function copies(stage: Stage): Copy[] {
  return stage.steps
    .filter((s) => s.op === 'COPY')
    .map((s) => {
      const words = s.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
    });
}

const stages = parse(read('Dockerfile'));
const build = stages.find((s) => s.name === 'build');
const runtime = stages.at(-1);
const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const buildConfig = JSON.parse(read('tsconfig.build.json')) as { include: string[]; compilerOptions: { outDir: string; rootDir: string } };

/** Files under a directory, relative to the repository (skipping node_modules and dist). */
function walk(dir: string): string[] {
  if (!statSync(join(ROOT, dir)).isDirectory()) return [dir];
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = posix.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(join(ROOT, rel)).isDirectory() ? walk(rel) : [rel];
  });
}

describe('Dockerfile', () => {
  it('has a build stage and an unprivileged runtime stage with a health check on /healthz', () => {
    expect(build).toBeDefined();
    expect(stages.length).toBe(2);
    expect(runtime?.steps.some((s) => s.op === 'USER' && s.args !== 'root' && s.args !== '0')).toBe(true);
    expect(runtime?.steps.find((s) => s.op === 'HEALTHCHECK')?.args).toContain('/healthz');
  });

  it('copies from the context only files that exist and .dockerignore lets through', () => {
    const sources = stages.flatMap(copies).filter((c) => !c.from).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
      const top = src.split('/')[0] ?? src;
      expect(ignored.filter((pattern) => pattern === src || pattern === top), `${src} is not in .dockerignore`).toEqual([]);
    }
    // Secrets and local state never reach the build context.
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', 'data', '.git']));
  });

  it('runs the install and build the repository defines, and prunes dev dependencies', () => {
    const runs = (build?.steps ?? []).filter((s) => s.op === 'RUN').map((s) => s.args);
    for (const script of runs.join(' && ').matchAll(/npm run (\S+)/g)) expect(Object.keys(pkg.scripts)).toContain(script[1]);
    expect(runs.join('\n')).toMatch(/npm ci\b/);
    expect(runs.join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
  });

  it('gives the build stage every input of the build and the lock file before npm ci', () => {
    const copied = copies(build as Stage).flatMap((c) => c.sources);
    for (const dir of buildConfig.include) expect(copied, `${dir} is copied for the build`).toContain(dir);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs']));
  });

  it('runtime takes only what the build stage made: production node_modules and the compiled output', () => {
    const taken = copies(runtime as Stage).filter((c) => c.from === 'build').flatMap((c) => c.sources);
    expect(taken.sort()).toEqual([`/app/${buildConfig.compilerOptions.outDir}`, '/app/node_modules']);
  });

  it('starts the compiled entry point, main.ts', () => {
    const cmd = runtime?.steps.find((s) => s.op === 'CMD')?.args ?? '';
    const entry = (JSON.parse(cmd) as string[]).at(-1) ?? '';
    const { outDir, rootDir } = buildConfig.compilerOptions;
    expect(entry).toBe(posix.join(outDir, posix.relative(rootDir, 'main.ts')).replace(/\.ts$/, '.js'));
  });

  it('copies next to the compiled code every non-code file the code reads relative to itself', () => {
    const dests = copies(runtime as Stage).map((c) => posix.normalize(c.dest).replace(/\/$/, ''));
    const needed = buildConfig.include
      .flatMap(walk)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .flatMap((f) =>
        [...read(f).matchAll(/new URL\('(\.\.?\/[^']*)', import\.meta\.url\)/g)]
          .map((m) => posix.join(posix.dirname(f), m[1] ?? ''))
          .filter((p) => !/\.(js|ts)$/.test(p)),
      );
    expect(needed).toContain('bots/web/public/');
    for (const p of needed) {
      if (p.endsWith('package.json')) continue; // the version, copied to /app/package.json
      expect(dests, `${p} is copied into the compiled tree`).toContain(posix.join(buildConfig.compilerOptions.outDir, p).replace(/\/$/, ''));
    }
  });
});
