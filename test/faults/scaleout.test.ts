/**
 * Several processes, one bridge: two `npm start` processes (main.ts) on one Redis share the
 * delivery shards; the Telegram long poll is held by one of them under the lease. SIGKILL the
 * holder: the other takes over the long poll within seconds and messages keep flowing between
 * two Telegram groups, every one exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { keys } from '../../src/keys.js';
import { roomKey } from '../../src/model.js';
import { shardOf } from '../../src/queue/redis.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startChildBridge, type ChildBridge } from '../helpers/child-bridge.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../e2e/waitfor.js';

const SHARDS = 8;

/** waitFor with an async probe. */
async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two processes, one bridge', () => {
  let fake: FakeTelegram | undefined;
  let redis: RedisClient | undefined;
  const children: ChildBridge[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.kill('SIGKILL');
    redis?.disconnect();
    await fake?.close();
  });

  it('shares delivery, holds the Telegram poll once, and hands it over within seconds after SIGKILL', async () => {
    const tg = await startFakeTelegram();
    fake = tg;
    const a = tg.world.group('Side A');
    const b = tg.world.group('Side B');
    const prefix = `so${randomBytes(3).toString('hex')}:`;
    const r = connectRedis(inject('redisUrl'));
    redis = r;
    const start = async (id: string): Promise<ChildBridge> => {
      const port = await freePort();
      const child = startChildBridge({
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: prefix,
        PROCESS_ID: id,
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(tmpdir(), `sr-${id}-`)),
        TELEGRAM_TOKEN: tg.token,
        TELEGRAM_API_URL: tg.apiRoot,
        LEASE_MS: '1000',
      });
      children.push(child);
      await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ?? false, 30_000, `${id} up`);
      return child;
    };
    const pollHolder = (): Promise<string | null> => r.get(prefix + keys.lease('telegram'));
    const shardHolders = async (): Promise<Array<string | null>> =>
      Promise.all(Array.from({ length: SHARDS }, (_, s) => r.get(prefix + keys.queueLease(s))));
    const depth = async (): Promise<number> => {
      let n = 0;
      for (let s = 0; s < SHARDS; s++) n += await r.xlen(prefix + keys.queueStream(s, 'telegram'));
      return n;
    };
    const polls = () => tg.callsOf('getUpdates');
    const copies = (): string[] => tg.botMessages(b.id).flatMap((m) => /: (m\d+)$/.exec(m.html ?? '')?.[1] ?? []);

    const p1 = await start('p1');
    onTestFailed(() => console.log(`p1 output:\n${p1.output()}`));
    await until(async () => (await pollHolder()) === 'p1', 10_000, 'p1 holds the Telegram lease');
    const p2 = await start('p2');
    onTestFailed(() => console.log(`p2 output:\n${p2.output()}`));
    // Delivery work is shared: each process reads half of the queue shards.
    await until(async () => {
      const h = await shardHolders();
      return h.filter((x) => x === 'p1').length === SHARDS / 2 && h.filter((x) => x === 'p2').length === SHARDS / 2;
    }, 15_000, 'shards split between p1 and p2');
    expect(await pollHolder()).toBe('p1');

    tg.userSays(a.id, '/sameroom open');
    await waitFor(() => tg.botMessages(a.id).some((m) => (m.html ?? '').includes('connect')), 15_000, 'open answer');
    tg.userSays(b.id, `/sameroom connect ${codeIn(tg.botMessages(a.id).at(-1)?.html ?? '')}`);
    await waitFor(() => tg.botMessages(b.id).some((m) => (m.html ?? '').includes('now linked')), 15_000, 'connect answer');
    const bShard = shardOf(roomKey({ platform: 'telegram', channel: String(b.id) }), SHARDS);
    const bDeliverer = (await shardHolders())[bShard];
    expect(['p1', 'p2']).toContain(bDeliverer);

    for (let i = 0; i < 100; i++) tg.userSays(a.id, `m${i}`);
    await waitFor(() => copies().length >= 100, 30_000, 'first 100 copies');
    await until(async () => (await depth()) === 0, 10_000, 'queue empty');
    await new Promise((res) => setTimeout(res, 300)); // the last offset is stored after its ingest
    // One long poll at a time: a second poller would have ended the first with 409 Conflict.
    expect(polls().filter((c) => c.status === 409)).toHaveLength(0);

    const pollsBefore = polls().length;
    p1.kill('SIGKILL');
    expect(await p1.exited).toBe('SIGKILL');
    const killedAt = Date.now();
    for (let i = 100; i < 200; i++) tg.userSays(a.id, `m${i}`);

    await until(async () => (await pollHolder()) === 'p2' && polls().length > pollsBefore, 10_000, 'p2 took over the long poll');
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(8000);
    await waitFor(() => copies().length >= 200, 30_000, 'copies after the takeover');
    await until(async () => (await shardHolders()).every((x) => x === 'p2'), 15_000, 'p2 reads every shard');
    await until(async () => (await depth()) === 0, 10_000, 'queue empty again');
    await new Promise((res) => setTimeout(res, 500));

    // Every update relayed exactly once, in order: none lost, none duplicated by the handover.
    expect(copies()).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(polls().filter((c) => c.status === 409)).toHaveLength(0);
    expect(tg.botMessages(a.id).filter((m) => /: m\d+$/.test(m.html ?? ''))).toHaveLength(0);

    p2.kill('SIGTERM');
    expect(await p2.exited).toBe(0);
  }, 120_000);
});
