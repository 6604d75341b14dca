/**
 * Issue #24: every bad key is listed at once at start and the entry exits non-zero; `--help`
 * prints the keys and the commands and starts nothing. The entry runs from the sources.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sr-config-errors-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The environment without any configured key, so only what a test sets counts. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, DATA_DIR: dataDir, ...extra };
}

function runEntry(args: string[], extra: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', ...args], { cwd: root, env: cleanEnv(extra), encoding: 'utf8', timeout: 25_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the entry point', () => {
  it('lists three bad keys together and exits non-zero', () => {
    const { status, out } = runEntry([], { PORT: 'notanumber', PUBLIC_URL: 'notaurl', LOG_LEVEL: 'verbose' });
    expect(status).not.toBe(0);
    expect(status).not.toBeNull();
    for (const key of ['PORT', 'PUBLIC_URL', 'LOG_LEVEL']) expect(out).toContain(key);
    expect(out).toContain('3 configuration error(s)');
    expect(out).toMatch(/^ {2}PORT: .*\n {2}PUBLIC_URL: .*\n {2}LOG_LEVEL .*$/m);
  });

  it.each([['--help'], ['-h']])('%s prints the keys and the commands and exits 0', (flag) => {
    // Even with a bad configuration: help reads none of it.
    const { status, out } = runEntry([flag], { PORT: 'notanumber', DISCORD_TOKEN: 'secret-token-value-123' });
    expect(status).toBe(0);
    expect(out).toContain('Usage: npm start');
    expect(out).toMatch(/^ {2}PORT \(default 8080\): /m);
    expect(out).toMatch(/^ {2}DISCORD_TOKEN\b/m);
    expect(out).toMatch(/-sameroom open\b/);
    expect(out).not.toContain('secret-token-value-123');
    expect(out).not.toContain('listening');
  });
});

describe('the CLIs', () => {
  it.each([
    ['src/dlq-cli.ts', ['--help'], 'npm run dlq'],
    ['src/backup-cli.ts', ['backup', '--help'], 'npm run backup'],
  ])('%s %s prints its usage and exits 0', (file, args, text) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, env: cleanEnv({ PORT: 'notanumber' }), encoding: 'utf8', timeout: 25_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(text);
  });
});
