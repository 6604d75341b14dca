/** The embedded store's CLIs beside a running bridge: what works, and what says to stop it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import type { DeadLetter } from '../../src/queue/job.js';
import { EmbeddedStore } from '../../src/store/embedded.js';

const root = join(import.meta.dirname, '..', '..');

function cli(script: string, args: string[], dataDir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('CLIs on the embedded store', () => {
  it('lists dead letters and backs up while the owner runs; replays and restores only once it stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sr-cli-'));
    const bridge = new EmbeddedStore(dataDir);
    const letter: DeadLetter = { job: { id: 'job-1', op: 'notice', target: 'web:r1' as DeadLetter['job']['target'], acceptedAt: 1, text: 'hi' }, error: 'HTTP 403', attempts: 1, at: 0 };
    await bridge.push(keys.deadLetters(), JSON.stringify(letter), 100);

    const listed = cli('dlq-cli.ts', [], dataDir);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('job-1');
    expect(listed.out).toContain('HTTP 403');

    const replay = cli('dlq-cli.ts', ['replay'], dataDir);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain(`is using DATA_DIR ${dataDir}: stop it before replaying dead letters`);

    const file = join(mkdtempSync(join(tmpdir(), 'sr-cli-bk-')), 'b.db');
    const backup = cli('backup-cli.ts', ['backup', file], dataDir);
    expect(backup.code).toBe(0);
    const restore = cli('backup-cli.ts', ['restore', file], dataDir);
    expect(restore.code).toBe(1);
    expect(restore.out).toContain('stop it before restoring a backup');

    await bridge.close();
    const replayed = cli('dlq-cli.ts', ['replay'], dataDir);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toContain('1 dead letter(s) queued again; the bridge delivers them when it starts.');
    const after = new EmbeddedStore(dataDir);
    expect(Object.keys(await after.hgetall(keys.pendingJobs()))).toEqual(['job-1']);
    await after.close();
  }, 120_000);
});
