/**
 * Zero duplicates where the platform has idempotency keys: a bridge process is SIGKILLed while
 * a copy is in flight (the platform stored it, the bridge never learned its id); a new process
 * on the same Redis posts that copy again with the same key, the platform answers with the
 * message it already has, and every copy is there exactly once, in order.
 *
 * Deterministic: the fake holds the answer to the 300th copy forever, the test kills the process
 * only once that copy is stored. Discord copies go out as the bot (no Manage Webhooks) with
 * `nonce` + `enforce_nonce`; Matrix copies are PUT with a txnId. Discord webhook posts have no
 * nonce: there the new process takes the job over as `mayExist` and finds the stored copy among
 * the channel's latest messages instead of posting it again.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeDiscord } from '../fakes/discord/index.js';
import { FakeMatrix } from '../fakes/matrix/server.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startChildBridge, type ChildBridge } from '../helpers/child-bridge.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../e2e/waitfor.js';

const N = 1000;
/** The copy whose answer never comes: the 300th. */
const HELD = 299;
const texts = Array.from({ length: N }, (_, i) => `m${i}`);
const COPY = /: (m\d+)$/;

/** The message number of a copy's text (`**Alice Liddell**: m12` → `m12`), or undefined. */
function copyOf(text: string): string | undefined {
  return COPY.exec(text)?.[1];
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * Run `burst`, then wait (bounded) until the fake holds the copy; fails at once if the process
 * dies first. `progress` says how far delivery got, for the failure message.
 */
async function heldWhileRunning<T>(held: Promise<T>, child: ChildBridge, burst: () => void, progress: () => string): Promise<T> {
  let got: T | undefined;
  void held.then((v) => (got = v));
  burst();
  try {
    await waitFor(() => got !== undefined || child.proc.exitCode !== null, 60_000, 'the held copy');
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${progress()}); bridge output: ${child.output().slice(-4000)}`);
  }
  if (got === undefined) throw new Error(`the bridge process ended before the held copy (${progress()}): ${child.output().slice(-4000)}`);
  return got;
}

describe('SIGKILL with a copy in flight: no duplicates, with idempotency keys or a lookup', () => {
  let telegram: FakeTelegram | undefined;
  let discord: FakeDiscord | undefined;
  let matrix: FakeMatrix | undefined;
  const children: ChildBridge[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.kill('SIGKILL');
      await c.exited;
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    await telegram?.close();
    await discord?.close();
    await matrix?.close();
    telegram = discord = matrix = undefined;
  });

  function dataDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'sr-idem-'));
    dirs.push(d);
    return d;
  }

  /** Environment of one bridge process: shared test Redis, a prefix of this test's own, Telegram plus `extra`. */
  function envFor(prefix: string, extra: Record<string, string>): () => Promise<Record<string, string>> {
    return async () => ({
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: prefix,
      PORT: String(await freePort()),
      DATA_DIR: dataDir(),
      TELEGRAM_TOKEN: telegram!.token,
      TELEGRAM_API_URL: telegram!.apiRoot,
      LEASE_MS: '1000',
      ...extra,
    });
  }

  function start(env: Record<string, string>): ChildBridge {
    const child = startChildBridge(env);
    children.push(child);
    return child;
  }

  type DiscordMessage = { readonly webhook_id?: string; readonly author: { readonly id: string }; readonly content: string };

  /**
   * A Telegram group linked to Discord #general from chat (copies as the bot without Manage
   * Webhooks, else through the webhook); the burst runs until the fake holds the copy of m299,
   * then the process is killed. `restart` starts a second one and waits for the last copy.
   */
  async function discordKilledMidBurst(webhooks: boolean, copyIn: (m: DiscordMessage) => string | undefined) {
    telegram = await startFakeTelegram();
    discord = await FakeDiscord.start();
    const tg = telegram;
    const dc = discord;
    const group = tg.world.group('Side A');
    const channel = dc.general.id;
    if (!webhooks) dc.denyWebhooks(channel);
    const env = envFor(`k${webhooks ? 'w' : 'i'}${randomBytes(3).toString('hex')}:`, { DISCORD_TOKEN: dc.token, DISCORD_API_URL: dc.apiUrl });
    const botPosts = () => dc.world.history(channel).filter((m) => m.author.id === dc.bot.id);
    const copies = (): string[] => dc.world.history(channel).flatMap((m) => copyIn(m) ?? []);

    const first = start(await env());
    await waitFor(() => dc.gateway.identifies >= 1, 30_000, 'the first process on the Discord gateway');
    tg.userSays(group.id, '/sameroom open');
    await waitFor(() => tg.botMessages(group.id).some((m) => (m.html ?? '').includes('connect')), 30_000, 'open answer');
    dc.userSays(channel, `-sameroom connect ${codeIn(tg.botMessages(group.id).at(-1)?.html ?? '')}`);
    await waitFor(() => botPosts().some((m) => m.content.includes('now linked')), 15_000, 'connect answer in Discord');

    const stored = await heldWhileRunning(
      dc.holdResponse((m) => copyIn(m) === `m${HELD}`),
      first,
      () => texts.forEach((t) => tg.userSays(group.id, t)),
      () => `${copies().length} copies so far`,
    );

    // The copy exists in Discord; the process never got the answer. Kill it now.
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(copies()).toEqual(texts.slice(0, HELD + 1));
    const restart = async (): Promise<void> => {
      start(await env());
      await waitFor(() => copies().includes(`m${N - 1}`), 60_000, 'the last copy after restart');
      // Per-room order: the held copy was redone before m300; a moment more for any straggler.
      await settle();
    };
    return { dc, channel, stored, copies, botPosts, restart };
  }

  it('Telegram → Discord (nonce + enforce_nonce): exactly one copy of each message', async () => {
    const copyIn = (m: DiscordMessage): string | undefined => (m.author.id === discord?.bot.id ? copyOf(m.content) : undefined);
    const { dc, channel, stored, copies, botPosts, restart } = await discordKilledMidBurst(false, copyIn);
    expect(stored.nonce).toBeDefined();
    expect(dc.nonceReplays).toBe(0);

    await restart();
    expect(copies()).toEqual(texts);
    expect(copies().filter((t) => t === `m${HELD}`)).toHaveLength(1);
    expect(botPosts().filter((m) => m.id === stored.id)).toHaveLength(1);
    // The new process did post the held copy again, and Discord answered with the stored one.
    expect(dc.nonceReplays).toBeGreaterThanOrEqual(1);
    const requests = dc.posted(channel).filter((p) => p.via === 'bot' && copyOf(p.message.content) !== undefined);
    expect(requests.every((p) => typeof p.nonce === 'string' && p.nonce.length > 0)).toBe(true);
    expect(new Set(requests.map((p) => p.nonce)).size).toBe(N);
  }, 120_000);

  it('Telegram → Discord through the webhook (no nonce; the copy is looked up): exactly one copy of each message', async () => {
    // Through the webhook a copy is the bare text under the author's name: no prefix.
    const copyIn = (m: { webhook_id?: string; content: string }): string | undefined => (m.webhook_id && /^m\d+$/.test(m.content) ? m.content : undefined);
    const { dc, channel, stored, copies, restart } = await discordKilledMidBurst(true, copyIn);
    expect(stored.webhook_id).toBeDefined();
    const author = stored.author.username;
    const hooked = () => dc.world.history(channel).filter((m) => copyIn(m) !== undefined);

    await restart();
    expect(copies()).toEqual(texts);
    expect(copies().filter((t) => t === `m${HELD}`)).toHaveLength(1);
    expect(hooked().filter((m) => m.id === stored.id)).toHaveLength(1);
    // Every copy went out through the one webhook under the author's name, and each was posted once:
    // the new process found the held copy and did not execute the webhook for it again.
    expect(new Set(hooked().map((m) => m.webhook_id))).toEqual(new Set([stored.webhook_id]));
    expect(hooked().every((m) => m.author.username === author)).toBe(true);
    const requests = dc.posted(channel).filter((p) => p.via === 'webhook' && copyIn(p.message) !== undefined);
    expect(requests).toHaveLength(N);
    expect(dc.posted(channel).filter((p) => p.via === 'bot' && /m\d+$/.test(p.message.content))).toEqual([]);
  }, 120_000);

  it('Telegram → Matrix (PUT …/send/{txnId}): exactly one copy of each message', async () => {
    telegram = await startFakeTelegram();
    matrix = await new FakeMatrix().start();
    const tg = telegram;
    const mx = matrix;
    const group = tg.world.group('Side A');
    const ROOM = '!general:fake.test';
    const ALICE = '@alice:fake.test';
    mx.addUser(ALICE, 'Alice');
    mx.createRoom(ROOM, [ALICE], { name: 'General' });
    const env = envFor(`km${randomBytes(3).toString('hex')}:`, { MATRIX_HOMESERVER_URL: mx.url, MATRIX_ACCESS_TOKEN: mx.botToken });
    const events = () => mx.botEvents(ROOM).filter((e) => e.type === 'm.room.message');
    const copies = (): string[] => events().flatMap((e) => (e.content.msgtype === 'm.text' ? (copyOf(String(e.content.body)) ?? []) : []));

    const first = start(await env());
    // The first sync only reads state; events count from the second one on.
    await waitFor(() => mx.syncCount >= 2, 30_000, 'the first process syncing Matrix');
    tg.userSays(group.id, '/sameroom open');
    await waitFor(() => tg.botMessages(group.id).some((m) => (m.html ?? '').includes('connect')), 30_000, 'open answer');
    mx.userSend(ROOM, ALICE, { msgtype: 'm.text', body: `-sameroom connect ${codeIn(tg.botMessages(group.id).at(-1)?.html ?? '')}` });
    await waitFor(() => events().some((e) => String(e.content.body).includes('now linked')), 15_000, 'connect answer in Matrix');

    const stored = await heldWhileRunning(
      mx.holdSend((e) => e.type === 'm.room.message' && copyOf(String(e.content.body)) === `m${HELD}`),
      first,
      () => texts.forEach((t) => tg.userSays(group.id, t)),
      () => `${copies().length} copies so far`,
    );

    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(copies()).toEqual(texts.slice(0, HELD + 1));
    expect(mx.txnReplays).toBe(0);

    start(await env());
    await waitFor(() => copies().includes(`m${N - 1}`), 60_000, 'the last copy after restart');
    await settle();
    expect(copies()).toEqual(texts);
    expect(events().filter((e) => e.event_id === stored.event_id)).toHaveLength(1);
    // The new process sent the held copy again with the same txnId, and got the stored event back.
    expect(mx.txnReplays).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
