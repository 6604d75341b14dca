/**
 * The embedded store under a crash, through the real `npm start` entry: a message Telegram was
 * told it may forget (its update confirmed by the next getUpdates offset) is relayed even when
 * the process is SIGKILLed right then, because the store acknowledges a write only after its
 * commit is fsynced (src/store/group-commit.ts). And a second bridge on the same DATA_DIR
 * refuses to start, saying why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startChildBridge, type ChildBridge } from '../helpers/child-bridge.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../e2e/waitfor.js';

const N = 400;

describe('the embedded store when the process dies', () => {
  let fake: FakeTelegram | undefined;
  const children: ChildBridge[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.kill('SIGKILL');
    await fake?.close();
    fake = undefined;
  });

  it('loses no message whose update was confirmed, when killed right after confirming', async () => {
    fake = await startFakeTelegram();
    const f = fake;
    const a = f.world.group('Side A');
    const b = f.world.group('Side B');
    const dataDir = mkdtempSync(join(tmpdir(), 'sr-powercut-'));
    const env = async (): Promise<Record<string, string>> => ({ PORT: String(await freePort()), DATA_DIR: dataDir, TELEGRAM_TOKEN: f.token, TELEGRAM_API_URL: f.apiRoot });
    const copies = (): string[] => f.botMessages(b.id).map((m) => m.html ?? '').filter((t) => /: m\d+$/.test(t)).map((t) => t.split(': ')[1] ?? '');

    const first = startChildBridge(await env());
    children.push(first);
    f.userSays(a.id, '/sameroom open');
    await waitFor(() => f.botMessages(a.id).some((m) => (m.html ?? '').includes('connect')), 60_000, 'open answer');
    f.userSays(b.id, `/sameroom connect ${codeIn(f.botMessages(a.id).at(-1)?.html ?? '')}`);
    await waitFor(() => f.botMessages(b.id).some((m) => (m.html ?? '').includes('now linked')), 15_000, 'connect answer');
    await waitFor(() => f.world.pending.length === 0, 15_000, 'commands confirmed');

    for (let i = 0; i < N; i++) f.userSays(a.id, `m${i}`);
    // The moment Telegram has forgotten some of the burst, the process dies.
    await waitFor(() => f.world.pending.length < N, 60_000, 'some updates confirmed');
    first.kill('SIGKILL');
    const forgotten = N - f.world.pending.length;
    expect(await first.exited).toBe('SIGKILL');
    expect(forgotten).toBeGreaterThan(0);
    expect(forgotten).toBeLessThan(N);

    const second = startChildBridge(await env());
    children.push(second);
    await waitFor(() => new Set(copies()).size >= N, 120_000, 'every copy after the restart');
    expect([...new Set(copies())]).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);

  it('refuses a second bridge on the same DATA_DIR, naming the running one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sr-lock-'));
    const port = await freePort();
    const first = startChildBridge({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    children.push(first);
    await waitFor(() => /Sameroom \S+ on http/.test(first.output()), 60_000, 'first bridge up');

    const second = startChildBridge({ PORT: String(await freePort()), DATA_DIR: dataDir });
    children.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Sameroom could not start: Another Sameroom process (pid ${first.proc.pid}) is using DATA_DIR ${dataDir}: stop it before starting this bridge`);
    // The first one is untouched.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 120_000);
});
