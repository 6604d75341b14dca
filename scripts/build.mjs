#!/usr/bin/env node
/**
 * `npm run build`: compile src/, bots/ and commands/ to dist/ with tsc (tsconfig.build.json) and
 * copy the files they read at run time (the web chat's page and assets, the Teams manifest).
 *
 * `node scripts/build.mjs --if-stale` (run before `npm start` and the CLIs): nothing when dist/
 * is newer than every source file; otherwise builds, so `npm ci && npm start` on a fresh clone
 * needs no extra step. Without TypeScript (a production install, `npm prune --omit=dev`) an
 * existing build is used as it is, and a missing one is an error that says what to run.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, with no dev dependency.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const SOURCES = ['src', 'bots', 'commands'];
const CONFIGS = ['main.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Every file under the source folders. */
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function newestSource() {
  let newest = 0;
  for (const c of CONFIGS) newest = Math.max(newest, statSync(join(root, c)).mtimeMs);
  for (const s of SOURCES) for (const f of files(join(root, s))) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

function tscPath() {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

function build(tsc) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // Run-time files beside the code: everything in the source folders that tsc does not emit.
  for (const s of SOURCES) {
    for (const f of files(join(root, s))) {
      if (/\.(ts|md)$/.test(f)) continue;
      cpSync(f, join(dist, relative(root, f)));
    }
  }
  writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
  console.error(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

const ifStale = process.argv.includes('--if-stale');
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (ifStale && built > 0 && built >= newestSource()) process.exit(0);
const tsc = tscPath();
if (tsc) {
  if (ifStale) console.error(built ? 'Sources changed since the last build: building dist/ again.' : 'First start: building dist/ (once).');
  build(tsc);
} else if (ifStale && built > 0) {
  console.error('Sources are newer than dist/, but TypeScript is not installed (a production install): running the existing build.');
} else {
  console.error('dist/ is missing and TypeScript is not installed: run `npm ci` (with dev dependencies), then `npm run build`.');
  process.exit(1);
}
