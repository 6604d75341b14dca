/**
 * The fake Telegram itself: what it enforces, so that a bot bug fails tests the way the real
 * Bot API would fail it. Driven through the real client (and raw fetch for wire details).
 */
import { Api, TelegramApiError, InputFile } from 'node-telegram-bot-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REAL_LIMITS, startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';

let fake: FakeTelegram;
let api: Api;
beforeEach(async () => {
  fake = await startFakeTelegram({ limits: { uploadBytes: 1000, photoBytes: 500 } });
  api = new Api(fake.token, { apiRoot: fake.apiRoot, maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

async function refusal(p: Promise<unknown>): Promise<{ code: number; description: string; retryAfter?: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelegramApiError);
  const e = err as TelegramApiError;
  return { code: e.errorCode, description: e.description, ...(e.retryAfter === undefined ? {} : { retryAfter: e.retryAfter }) };
}

it('uses the real limits by default', () => {
  expect(REAL_LIMITS).toEqual({
    text: 4096,
    caption: 1024,
    uploadBytes: 50 * 1024 * 1024,
    photoBytes: 10 * 1024 * 1024,
    downloadBytes: 20 * 1024 * 1024,
  });
});

describe('auth and routing', () => {
  it('refuses a wrong token with 401 and an unknown method with 404', async () => {
    const wrong = new Api(`${fake.token}x`, { apiRoot: fake.apiRoot, maxRetries: 0 });
    expect(await refusal(wrong.getMe())).toEqual({ code: 401, description: 'Unauthorized' });
    const unknown = await fetch(`${fake.apiRoot}/bot${fake.token}/noSuchMethod`, { method: 'POST' });
    expect([unknown.status, await unknown.json()]).toEqual([404, { ok: false, error_code: 404, description: 'Not Found' }]);
    expect((await api.getMe()).username).toBe('SameroomBot');
  });

  it('reads JSON bodies and form bodies with nested JSON', async () => {
    const chat = fake.world.group();
    const q = fake.userSays(chat.id, 'q');
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chat.id, text: 'json', reply_parameters: { message_id: q.message_id } }),
    });
    expect(((await res.json()) as { result: { reply_to_message: { message_id: number } } }).result.reply_to_message.message_id).toBe(
      q.message_id,
    );
    const form = await api.sendMessage({ chat_id: chat.id, text: 'form', reply_parameters: { message_id: q.message_id } });
    expect(form.reply_to_message?.message_id).toBe(q.message_id);
  });
});

describe('limits and parsing', () => {
  it('refuses text over 4096 characters and captions over 1024, counted after parsing', async () => {
    const chat = fake.world.group();
    expect(await refusal(api.sendMessage({ chat_id: chat.id, text: 'x'.repeat(4097) }))).toMatchObject({
      code: 400,
      description: 'Bad Request: message is too long',
    });
    await api.sendMessage({ chat_id: chat.id, text: `<b>${'x'.repeat(4096)}</b>`, parse_mode: 'HTML' });
    const photo = new InputFile(new Uint8Array(10), { filename: 'a.png' });
    expect(await refusal(api.sendPhoto({ chat_id: chat.id, photo, caption: 'y'.repeat(1025) }))).toMatchObject({
      description: 'Bad Request: message caption is too long',
    });
  });

  it.each([
    ['<b>unclosed', `Can't find end tag corresponding to start tag "b"`],
    ['<foo>x</foo>', 'Unsupported start tag "foo" at byte offset 0'],
    ['a < b', 'Unclosed start tag at byte offset 2'],
    ['<b>x</i>', `Can't find end tag corresponding to start tag "b"`],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['<code><b>x</b></code>', 'nested'],
  ])('refuses bad HTML %j', async (html, why) => {
    const chat = fake.world.group();
    const r = await refusal(api.sendMessage({ chat_id: chat.id, text: html, parse_mode: 'HTML' }));
    expect(r.code).toBe(400);
    expect(r.description).toContain("Bad Request: can't parse entities");
    expect(r.description).toContain(why);
  });

  it('decodes entities and reports formatting', async () => {
    const chat = fake.world.group();
    const m = await api.sendMessage({ chat_id: chat.id, text: '&lt;b&gt; &amp; <a href="https://x.test/?a=1&amp;b=2">link</a>', parse_mode: 'HTML' });
    expect(m.text).toBe('<b> & link');
    expect(m.entities).toEqual([{ type: 'text_link', offset: 6, length: 4, url: 'https://x.test/?a=1&b=2' }]);
  });

  it('refuses uploads over the limit, and getFile over 20 MB', async () => {
    const chat = fake.world.group();
    const big = new InputFile(new Uint8Array(1001), { filename: 'big.bin' });
    expect(await refusal(api.sendDocument({ chat_id: chat.id, document: big }))).toEqual({
      code: 413,
      description: 'Request Entity Too Large',
    });
    const m = fake.userSays(chat.id, undefined, { document: { size: 21 * 1024 * 1024, name: 'x.zip' } });
    expect(await refusal(api.getFile({ file_id: m.document?.file_id ?? '' }))).toEqual({
      code: 400,
      description: 'Bad Request: file is too big',
    });
  });

  it('serves uploaded and user files under /file/bot<token>/', async () => {
    const chat = fake.world.group();
    const m = fake.userSays(chat.id, undefined, { document: { bytes: new Uint8Array([1, 2, 3]), name: 'a.bin' } });
    const file = await api.getFile({ file_id: m.document?.file_id ?? '' });
    const ok = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect((await fetch(`${fake.apiRoot}/file/botWRONG/${file.file_path}`)).status).toBe(404);
  });
});

describe('updates', () => {
  it('holds getUpdates until an update arrives', async () => {
    const chat = fake.world.group();
    const held = api.getUpdates({ timeout: 30 });
    await expect.poll(() => fake.callsOf('getUpdates').length).toBe(1);
    const m = fake.userSays(chat.id, 'wake up');
    const updates = await held;
    expect(updates).toHaveLength(1);
    expect(updates[0] && 'message' in updates[0] ? updates[0].message.message_id : 0).toBe(m.message_id);
  });

  it('forgets updates below the offset it was called with', async () => {
    const chat = fake.world.group();
    fake.userSays(chat.id, 'a');
    fake.userSays(chat.id, 'b');
    const [first, second] = await api.getUpdates({});
    expect((await api.getUpdates({})).length).toBe(2); // not confirmed yet
    expect(await api.getUpdates({ offset: (first?.update_id ?? 0) + 1 })).toEqual([second]);
    expect(await api.getUpdates({ offset: (second?.update_id ?? 0) + 1 })).toEqual([]);
    expect(await api.getUpdates({})).toEqual([]);
  });

  it('refuses getUpdates with 409 while a webhook is set', async () => {
    await api.setWebhook({ url: 'https://bridge.test/hook', secret_token: 'abc' });
    expect(await refusal(api.getUpdates({}))).toMatchObject({ code: 409 });
    expect(await refusal(api.setWebhook({ url: 'http://plain.test/hook' }))).toMatchObject({ code: 400 });
    await api.deleteWebhook({});
    expect(await api.getUpdates({})).toEqual([]);
  });

  it('fails on demand with 429 and retry_after, or 500', async () => {
    fake.failNext('getMe', { status: 429, retryAfter: 5 });
    fake.failNext('getMe', { status: 500 });
    expect(await refusal(api.getMe())).toEqual({ code: 429, description: 'Too Many Requests: retry after 5', retryAfter: 5 });
    expect(await refusal(api.getMe())).toMatchObject({ code: 500 });
    expect((await api.getMe()).is_bot).toBe(true);
  });
});
