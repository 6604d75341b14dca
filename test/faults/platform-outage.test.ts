/**
 * A platform failing on the target side of a tube (a test-platform room → a Telegram group,
 * real node-telegram-bot-api against the fake, Redis queue):
 * - 429s (retry_after honoured) then 500s for about a minute: deliveries wait, then resume in
 *   order, nothing lost; /metrics shows the backlog and the retries meanwhile.
 * - with a small retry budget: dead letters, `dead_letter` lines in the security log, metric
 *   lines, then `npm run dlq` (a separate process on the same Redis) lists and replays them
 *   and the running bridge delivers each exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { parseRoomKey, roomKey } from '../../src/model.js';
import { DeadLetters } from '../../src/queue/queue.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from '../e2e/waitfor.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * The dlq CLI (what `npm run dlq -- <args>` runs, from the sources) as its own process against the
 * bridge's Redis and namespace. `npm run dlq` itself would first compile dist/ when it is stale.
 */
function runDlq(prefix: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'dlq-cli.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the dlq CLI timed out: ${out}`));
    }, 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The value of one metric line (exact name and labels), or undefined. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a platform failing on the target side', () => {
  let fake: FakeTelegram | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop().catch(() => undefined);
    await fake?.close();
  });

  /** A test-platform room `lobby` linked to a Telegram group; returns what reads the group's copies. */
  const setup = async (retry: { maxAttempts: number; baseDelayMs?: number; maxDelayMs?: number }) => {
    const tgFake = await startFakeTelegram();
    fake = tgFake;
    const chat = tgFake.world.group('Ops');
    const tg = createTelegramBot({ token: tgFake.token, apiUrl: tgFake.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 200 });
    const alpha = new TestBot('alpha');
    const bridge = await startTestBridge({ store: 'redis', bots: [tg, alpha], retry });
    tb = bridge;
    const said = () => tgFake.botMessages(chat.id).map((m) => m.html ?? '');
    tgFake.userSays(chat.id, '/sameroom open');
    await waitFor(() => said().some((t) => t.includes('connect')), 10_000, 'open answer');
    await alpha.says('lobby', 'Ann', `-sameroom connect ${codeIn(said().at(-1) ?? '')}`);
    await bridge.settle();
    /** The copies in the group, by message text (`b0`, `o3`, …), in the order they appeared. */
    const copies = (): string[] => said().flatMap((h) => /: ([a-z]\d+)$/.exec(h)?.[1] ?? []);
    return { tgFake, chat, alpha, bridge, copies };
  };

  it('429s then 500s for a minute: deliveries wait and resume in order, nothing lost', async () => {
    const { tgFake, chat, alpha, bridge, copies } = await setup({ maxAttempts: 100, baseDelayMs: 500, maxDelayMs: 2000 });
    for (let i = 0; i < 5; i++) await alpha.says('lobby', 'Ann', `b${i}`);
    await waitFor(() => copies().length === 5, 10_000, 'copies before the outage');

    // 10 × 429 asking for 3 s each, then 15 × 500 (2 s backoff each): about 60 s of refusals.
    tgFake.failNext('sendMessage', { status: 429, retryAfter: 3, times: 10 });
    tgFake.failNext('sendMessage', { status: 500, times: 15 });
    const outageStart = Date.now();
    for (let i = 0; i < 20; i++) {
      await alpha.says('lobby', 'Ann', `o${i}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 5000));
    expect(copies()).toHaveLength(5);
    const during = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metric(during, 'sameroom_queue_depth{platform="telegram"}')).toBe(20);
    expect(metric(during, 'sameroom_queue_oldest_seconds{platform="telegram"}')).toBeGreaterThan(5);
    expect(metric(during, 'sameroom_queue_depth{platform="alpha"}')).toBe(0);
    expect(metric(during, 'sameroom_queue_oldest_seconds{platform="alpha"}')).toBe(0);
    expect(metric(during, 'sameroom_delivery_retries_total{platform="telegram"}')).toBeGreaterThanOrEqual(3);

    let resumedAt = 0;
    await waitFor(
      () => {
        if (!resumedAt && copies().length > 5) resumedAt = Date.now();
        return copies().length >= 25;
      },
      100_000,
      'every copy after the outage',
    );
    await bridge.settle();
    expect(resumedAt - outageStart).toBeGreaterThanOrEqual(55_000);
    expect(copies()).toEqual([...Array.from({ length: 5 }, (_, i) => `b${i}`), ...Array.from({ length: 20 }, (_, i) => `o${i}`)]);
    const statuses = tgFake.callsOf('sendMessage').map((c) => c.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(statuses.filter((s) => s === 500)).toHaveLength(15);
    const after = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metric(after, 'sameroom_delivery_retries_total{platform="telegram"}')).toBe(25);
    expect(metric(after, 'sameroom_deliveries_total{platform="telegram",op="post"}')).toBe(25);
    expect(metric(after, 'sameroom_queue_depth{platform="telegram"}')).toBe(0);
    expect(metric(after, 'sameroom_queue_oldest_seconds{platform="telegram"}')).toBe(0);
    expect(await bridge.bridge.seclog.recent(bridge.bridge.tenant({ platform: 'telegram', channel: String(chat.id) }))).not.toContainEqual(expect.objectContaining({ type: 'dead_letter' }));
  }, 150_000);

  it('after the retry budget: dead letters, security log, metrics; `npm run dlq` lists and replays them', async () => {
    const { tgFake, chat, alpha, bridge, copies } = await setup({ maxAttempts: 3 });
    tgFake.failNext('sendMessage', { status: 500, times: 15 });
    for (let i = 0; i < 5; i++) await alpha.says('lobby', 'Ann', `x${i}`);
    const dead = new DeadLetters(bridge.bridge.store);
    await waitFor(() => tgFake.callsOf('sendMessage').filter((c) => c.status === 500).length === 15, 20_000, 'every attempt');
    await bridge.settle();
    expect(copies()).toEqual([]);

    const room = roomKey({ platform: 'telegram', channel: String(chat.id) });
    const letters = await dead.list();
    expect(letters.map((l) => [l.job.op, l.job.target, l.attempts])).toEqual(Array.from({ length: 5 }, () => ['post', room, 3]));
    const log = (await bridge.bridge.seclog.recent(bridge.bridge.tenant(parseRoomKey(room)))).filter((e) => e.type === 'dead_letter');
    expect(log).toHaveLength(5);
    for (const e of log) {
      expect(e).toMatchObject({ room, actor: 'bridge' });
      expect(e.detail).toMatch(/^post not delivered after 3 attempts: DeliveryError: /);
    }
    const m = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metric(m, 'sameroom_dead_letters_total{platform="telegram"}')).toBe(5);
    expect(metric(m, 'sameroom_delivery_retries_total{platform="telegram"}')).toBe(10);
    expect(metric(m, 'sameroom_queue_depth{platform="telegram"}')).toBe(0);

    const listed = await runDlq(bridge.prefix, []);
    expect(listed.code).toBe(0);
    const lines = listed.out.trim().split('\n').filter((l) => l.includes(' → '));
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(letters.map((l) => l.job.id));
    for (const l of lines) expect(l).toContain(`post → ${room}  after 3 attempts: DeliveryError`);

    const replayed = await runDlq(bridge.prefix, ['replay']);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toContain('5 dead letter(s) queued again');
    await waitFor(() => copies().length >= 5, 20_000, 'replayed copies');
    await bridge.settle();
    expect(copies()).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    expect(await dead.list()).toEqual([]);
    const empty = await runDlq(bridge.prefix, []);
    expect(empty.out).toContain('No dead letters.');
    const end = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metric(end, 'sameroom_deliveries_total{platform="telegram",op="post"}')).toBe(5);
    expect(metric(end, 'sameroom_dead_letters_total{platform="telegram"}')).toBe(5);
  }, 90_000);
});
