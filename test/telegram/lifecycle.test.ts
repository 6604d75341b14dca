/**
 * Lifecycle: config, the stored update offset across restarts and failures, webhook mode,
 * the inbound lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { telegramConfigFromEnv, webhookPath } from '../../bots/telegram/index.js';
import type { BotContext } from '../../src/bot.js';
import type { Inbound, InboundPost } from '../../src/model.js';
import { startRig, type Rig } from './setup.js';
import { until } from '../mattermost/shared-rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';
const textOf = (e: Inbound) => (isPost(e) ? e.text : e.kind);
const postWith = (text: string) => (e: Inbound): e is InboundPost => isPost(e) && e.text === text;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T | Promise<T>) => void } {
  let resolve!: (v: T | Promise<T>) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('config', () => {
  it('reads the env keys, and nothing without a token', () => {
    expect(telegramConfigFromEnv({})).toBeUndefined();
    expect(telegramConfigFromEnv({ TELEGRAM_TOKEN: '1:abc' })).toEqual({ token: '1:abc' });
    expect(
      telegramConfigFromEnv({ TELEGRAM_TOKEN: '1:abc', TELEGRAM_API_URL: 'http://tg.local', TELEGRAM_WEBHOOK_SECRET: 's3cret_-X' }),
    ).toEqual({ token: '1:abc', apiUrl: 'http://tg.local', webhookSecret: 's3cret_-X' });
    expect(() => telegramConfigFromEnv({ TELEGRAM_TOKEN: '1:abc', TELEGRAM_WEBHOOK_SECRET: 'no spaces!' })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET/,
    );
  });

  it('derives an unguessable webhook path that does not contain the token', () => {
    const path = webhookPath('123:secret-token');
    expect(path).toMatch(/^\/telegram\/[A-Za-z0-9_-]{32}$/);
    expect(path).not.toContain('secret-token');
    expect(webhookPath('123:other-token')).not.toBe(path);
  });
});

describe('long polling', () => {
  it('stores the offset after each ingested update', async () => {
    rig = await startRig();
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'one');
    await rig.harness.waitFor(postWith('one'));
    const update = rig.fake.world.pending.at(-1);
    await expect.poll(() => rig?.harness.state.get('offset')).toBe(String((update?.update_id ?? 0) + 1));
  });

  it('after a restart, takes the updates that came while it was down, and none twice', async () => {
    rig = await startRig();
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'one');
    await rig.harness.waitFor(postWith('one'));
    await rig.bot.stop();
    rig.fake.userSays(chat.id, 'two');
    rig.fake.userSays(chat.id, 'three');
    const second = rig.newBot();
    await second.start(rig.harness.ctx);
    await rig.harness.waitFor(postWith('three'));
    expect(rig.harness.events.map(textOf)).toEqual(['one', 'two', 'three']);
  });

  it('after a crash in the middle of a batch, starts again at the update being handled', async () => {
    rig = await startRig({ start: false });
    const chat = rig.fake.world.group();
    for (const t of ['one', 'two', 'three']) rig.fake.userSays(chat.id, t);
    const first = rig.bot;
    const crashed = deferred<void>();
    const crashing: BotContext = {
      ...rig.harness.ctx,
      ingest: async (e) => {
        if (textOf(e) === 'two') {
          crashed.resolve(first.stop()); // the process dies while the core handles "two"
          throw new Error('process killed');
        }
        await rig?.harness.ctx.ingest(e);
      },
    };
    await first.start(crashing);
    await crashed.promise;
    expect(rig.harness.events.map(textOf)).toEqual(['one']);
    const second = rig.newBot();
    await second.start(rig.harness.ctx);
    await rig.harness.waitFor(postWith('three'));
    expect(rig.harness.events.map(textOf)).toEqual(['one', 'two', 'three']);
  });

  it('does not move past an update whose ingest failed: it gets it again', async () => {
    rig = await startRig({ start: false });
    const chat = rig.fake.world.group();
    for (const t of ['one', 'two', 'three']) rig.fake.userSays(chat.id, t);
    let failures = 0;
    const flaky: BotContext = {
      ...rig.harness.ctx,
      ingest: async (e) => {
        if (textOf(e) === 'two' && failures++ === 0) throw new Error('store unavailable');
        await rig?.harness.ctx.ingest(e);
      },
    };
    await rig.bot.start(flaky);
    await rig.harness.waitFor(postWith('three'));
    expect(failures).toBe(2);
    expect(rig.harness.events.map(textOf)).toEqual(['one', 'two', 'three']);
  });

  it('keeps polling after getUpdates fails with 5xx or 429', async () => {
    rig = await startRig({ start: false });
    rig.fake.failNext('getUpdates', { status: 500 });
    rig.fake.failNext('getUpdates', { status: 429, retryAfter: 1 });
    await rig.bot.start(rig.harness.ctx);
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'still here');
    await rig.harness.waitFor(postWith('still here'));
    expect(rig.fake.callsOf('getUpdates').slice(0, 2).map((c) => c.status)).toEqual([500, 429]);
  });

  it('reports its polling state for /readyz: down with the reason (no token) while getUpdates fails, then up', async () => {
    rig = await startRig({ start: false, config: { pollRetryMs: 300 } });
    rig.fake.failNext('getUpdates', { status: 502 });
    await rig.bot.start(rig.harness.ctx);
    const bot = rig.bot;
    const reason = (): string => {
      const c = bot.connection();
      return c.up ? '' : c.reason;
    };
    expect(reason()).toBe('connecting');
    await until(() => reason().startsWith('getUpdates failing: '), 'the failed poll to be reported');
    const down = bot.connection();
    expect(JSON.stringify(down)).not.toContain(rig.fake.token);
    await until(() => bot.connection().up, 'polling to work again');
  });

  it('removes a webhook left from an earlier run before polling', async () => {
    rig = await startRig({ start: false });
    rig.fake.webhook = { url: 'https://old.example/telegram/x' };
    await rig.bot.start(rig.harness.ctx);
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'hello');
    await rig.harness.waitFor(postWith('hello'));
    expect(rig.fake.webhook).toBeUndefined();
  });

  it('polls only while this process holds the lease', async () => {
    rig = await startRig({ start: false });
    let held = false;
    let checks = 0;
    await rig.bot.start({ ...rig.harness.ctx, leaseHeld: () => (checks++, held) });
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'waiting');
    await expect.poll(() => checks).toBeGreaterThan(3);
    expect(rig.fake.callsOf('getUpdates')).toHaveLength(0);
    held = true;
    await rig.harness.waitFor(postWith('waiting'));
  });
});

describe('webhook mode', () => {
  const publicUrl = 'https://bridge.example.org';
  const secret = 'webhook-Secret_123';

  async function webhookRig(): Promise<Rig> {
    const r = await startRig({ publicUrl, config: { webhookSecret: secret } });
    r.fake.routeHost(publicUrl, await r.harness.listen());
    return r;
  }

  it('registers the webhook with its secret and takes updates from it', async () => {
    rig = await webhookRig();
    const [call] = rig.fake.callsOf('setWebhook');
    expect(call?.params).toMatchObject({ url: `${publicUrl}${webhookPath(rig.fake.token)}`, secret_token: secret });
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'via webhook');
    await rig.harness.waitFor(postWith('via webhook'));
    await expect.poll(() => rig?.fake.webhookDeliveries.map((d) => d.status)).toEqual([200]);
    expect(rig.fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('refuses updates without the right secret', async () => {
    rig = await webhookRig();
    const chat = rig.fake.world.group();
    const forged = { update_id: 1, message: { message_id: 77, date: 1, chat, text: 'forged', from: rig.fake.world.alice } };
    expect(await rig.fake.postToWebhook(forged, 'wrong-secret')).toBe(401);
    expect(await rig.fake.postToWebhook(forged, undefined)).toBe(401);
    expect(await rig.fake.postToWebhook(forged, secret)).toBe(200);
    expect(rig.harness.events.map(textOf)).toEqual(['forged']);
  });

  it('answers 500 when the core could not take the update, so Telegram sends it again', async () => {
    rig = await startRig({ publicUrl, config: { webhookSecret: secret }, start: false });
    let failures = 0;
    await rig.bot.start({
      ...rig.harness.ctx,
      publicUrl,
      ingest: async (e) => {
        if (failures++ === 0) throw new Error('store unavailable');
        await rig?.harness.ctx.ingest(e);
      },
    });
    rig.fake.routeHost(publicUrl, await rig.harness.listen());
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'retry me');
    await rig.harness.waitFor(postWith('retry me'));
    await expect.poll(() => rig?.fake.webhookDeliveries.map((d) => d.status)).toEqual([500, 200]);
    expect(rig.harness.events.map(textOf)).toEqual(['retry me']);
  });
});
