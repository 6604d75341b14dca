/**
 * Nothing lost: a bridge process is killed with SIGKILL in the middle of a 1,000-message burst
 * between two Telegram groups; a new process on the same Redis delivers everything, in order,
 * with duplicates only for a post in flight at the kill. Then SIGTERM drains and exits 0.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startChildBridge, type ChildBridge } from '../helpers/child-bridge.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../e2e/waitfor.js';

const N = 1000;

describe('crash in the middle of a burst', () => {
  let fake: FakeTelegram | undefined;
  const children: ChildBridge[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.kill('SIGKILL');
    await fake?.close();
  });

  it('delivers every message, in order, after SIGKILL and restart', async () => {
    fake = await startFakeTelegram();
    const a = fake.world.group('Side A');
    const b = fake.world.group('Side B');
    const env = async (): Promise<Record<string, string>> => ({
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: prefix,
      PORT: String(await freePort()),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sr-kill-')),
      TELEGRAM_TOKEN: fake!.token,
      TELEGRAM_API_URL: fake!.apiRoot,
      LEASE_MS: '1000',
    });
    const prefix = `k${randomBytes(3).toString('hex')}:`;
    const copies = (): string[] => fake!.botMessages(b.id).map((m) => m.html ?? '').filter((t) => /: m\d+$/.test(t)).map((t) => t.split(': ')[1] ?? '');

    const first = startChildBridge(await env());
    children.push(first);
    fake.userSays(a.id, '/sameroom open');
    await waitFor(() => fake!.botMessages(a.id).some((m) => (m.html ?? '').includes('connect')), 30_000, 'open answer');
    fake.userSays(b.id, `/sameroom connect ${codeIn(fake.botMessages(a.id).at(-1)?.html ?? '')}`);
    await waitFor(() => fake!.botMessages(b.id).some((m) => (m.html ?? '').includes('now linked')), 15_000, 'connect answer');

    for (let i = 0; i < N; i++) fake.userSays(a.id, `m${i}`);
    await waitFor(() => copies().length >= 200, 60_000, 'first 200 copies');
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atKill = copies().length;
    expect(atKill).toBeLessThan(N);

    const second = startChildBridge(await env());
    children.push(second);
    await waitFor(() => new Set(copies()).size >= N, 90_000, 'all copies after restart');
    const got = copies();
    const firstSeen = [...new Set(got)];
    expect(firstSeen).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
    // At most the post in flight at the kill is repeated.
    expect(got.length - N).toBeLessThanOrEqual(1);

    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
