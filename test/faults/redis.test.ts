/**
 * Redis going away: restarted (AOF on) in the middle of a burst, and unreachable for 30 s while
 * Telegram users keep talking. Nothing is lost; /healthz says degraded meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn, link } from '../helpers/pairing.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from '../e2e/waitfor.js';

describe('Redis faults', () => {
  let redis: RedisServer | undefined;
  let tb: TestBridge | undefined;
  let fake: FakeTelegram | undefined;
  afterEach(async () => {
    await redis?.restart().catch(() => undefined);
    await tb?.stop().catch(() => undefined);
    await fake?.close();
    await redis?.stop();
  });

  it('a Redis restart (AOF) during a burst loses nothing and keeps order', async () => {
    redis = await startRedisServer({ appendonly: true });
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store: 'redis', bots: [a, b], env: { REDIS_URL: redis.url } });
    await link(tb, a, 'x', b, 'y');
    const sending = (async () => {
      for (let i = 0; i < 300; i++) await a.says('x', 'Ann', `r${i}`);
    })();
    await waitFor(() => b.lines('y').filter((l) => / r\d+$/.test(l)).length >= 50, 20_000, 'first copies');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.restart();
    await sending;
    await waitFor(() => b.lines('y').filter((l) => / r\d+$/.test(l)).length >= 300, 30_000, 'all copies');
    await tb.settle();
    expect(b.lines('y').filter((l) => / r\d+$/.test(l))).toEqual(Array.from({ length: 300 }, (_, i) => `bridge-bot: Ann: r${i}`));
  }, 90_000);

  it('Redis unreachable for 30 s: the bridge stays up, /healthz says degraded, and it catches up on what Telegram redelivers', async () => {
    redis = await startRedisServer({ appendonly: true });
    fake = await startFakeTelegram();
    const chat = fake.world.group('Ops');
    const tg = createTelegramBot({ token: fake.token, apiUrl: fake.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 200 });
    const other = new TestBot('alpha');
    tb = await startTestBridge({ store: 'redis', bots: [tg, other], env: { REDIS_URL: redis.url } });
    const bot = () => fake!.botMessages(chat.id).map((m) => m.html ?? '');
    fake.userSays(chat.id, '/sameroom open');
    await waitFor(() => bot().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('room', 'Bob', `-sameroom connect ${codeIn(bot().at(-1) ?? '')}`);
    await tb.settle();

    await redis.stop();
    const down = await fetch(`${tb.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'degraded' });
    for (let i = 0; i < 5; i++) fake.userSays(chat.id, `during outage ${i}`);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(other.lines('room').some((l) => l.includes('during outage'))).toBe(false);
    await redis.restart();

    await waitFor(() => other.lines('room').filter((l) => l.includes('during outage')).length >= 5, 30_000, 'catch-up');
    const up = await fetch(`${tb.url}/healthz`);
    expect(up.status).toBe(200);
    expect(other.lines('room').filter((l) => l.includes('during outage'))).toEqual(
      Array.from({ length: 5 }, (_, i) => `bridge-bot: Alice Liddell: during outage ${i}`),
    );
  }, 120_000);
});
