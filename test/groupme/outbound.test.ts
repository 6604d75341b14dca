import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import type { FileId, OutboundPost, RemoteMessageId, RoomKey, StoredFile } from '../../src/model.js';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';
import { alice, startBridge, type Bridge } from './setup.js';

let fake: FakeGroupMe;
let bridge: Bridge | undefined;
const room = { platform: 'groupme', channel: 'g1' } as const;

beforeEach(async () => {
  fake = await startFakeGroupMe();
  fake.addGroup('g1', 'Family', [alice.id]);
});

afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  await fake.close();
});

const copy = (text: string, extra: Partial<OutboundPost> = {}): OutboundPost => ({
  room,
  author: { id: 'u1', name: 'Dana' },
  text,
  attachments: [],
  origin: 'web::lobby' as RoomKey,
  idempotencyKey: 'k1',
  ...extra,
});

const stored = (b: Bridge, name: string, mime: string, bytes: Uint8Array | null): StoredFile => {
  const id = `file-${name}` as FileId;
  if (bytes) b.harness.files.set(id, bytes);
  return { id, name, mime, size: bytes?.byteLength ?? 10, url: `${b.publicUrl}/files/${id}` };
};

const failure = async (p: Promise<unknown>): Promise<DeliveryError> => {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
};

describe('GroupMe outbound', () => {
  it('posts plain text through the group bot and returns the id GroupMe gave the message', async () => {
    bridge = await startBridge(fake);
    const ids = await bridge.bot.send(copy('Dana: **hi** \\_x\\_ see [the site](https://example.com) `code`'));
    const [m] = fake.posted('g1');
    expect(m?.text).toBe('Dana: hi _x_ see the site (https://example.com) code');
    expect(m?.sender_id).toBe(fake.botsIn('g1')[0]?.bot_id);
    expect(ids).toEqual([m?.id]);
  });

  it('splits text longer than 1000 characters into several messages', async () => {
    bridge = await startBridge(fake);
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const ids = await bridge.bot.send(copy(words));
    const sent = fake.posted('g1');
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every((m) => m.text.length <= 1000)).toBe(true);
    expect(sent.map((m) => m.text).join(' ')).toBe(words);
    expect(ids).toEqual(sent.map((m) => m.id));
  });

  it('re-hosts images on the image service and attaches them', async () => {
    bridge = await startBridge(fake);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    await bridge.bot.send(copy('Dana: look', { attachments: [stored(bridge, 'cat.jpg', 'image/jpeg', bytes)] }));
    const [m] = fake.posted('g1');
    expect(m?.text).toBe('Dana: look');
    expect(m?.attachments).toHaveLength(1);
    const a = m?.attachments[0];
    expect(a?.type).toBe('image');
    const hosted = fake.pictures.get(a?.type === 'image' ? (a.url.split('.').pop() ?? '') : '');
    expect(hosted).toEqual({ bytes, mime: 'image/jpeg' });
  });

  it('posts other files, images over the limit, unreadable ones and refused types as links', async () => {
    bridge = await startBridge(fake, { config: { maxImageBytes: 8 } });
    const pdf = stored(bridge, 'report.pdf', 'application/pdf', new Uint8Array([1, 2, 3]));
    const big = stored(bridge, 'big.png', 'image/png', new Uint8Array(20));
    const gone = stored(bridge, 'gone.png', 'image/png', null);
    const svg = stored(bridge, 'logo.svg', 'image/svg+xml', new Uint8Array([60, 115]));
    await bridge.bot.send(copy('Dana: files', { attachments: [pdf, big, gone, svg] }));
    const [m] = fake.posted('g1');
    expect(m?.attachments).toEqual([]);
    expect(m?.text).toBe(
      ['Dana: files', ...[pdf, big, gone, svg].map((f) => `${f.name} (${f.url})`)].join('\n'),
    );
  });

  it('sends a reply as a reply attachment, and none for an id GroupMe never gave', async () => {
    bridge = await startBridge(fake);
    const { message } = await fake.userPosts('g1', { user: alice, text: 'question' });
    await bridge.bot.send(copy('Dana: answer', { replyTo: message.id as RemoteMessageId }));
    await bridge.bot.say(room, 'no such message', 'guid:1234' as RemoteMessageId);
    const [answer, plain] = fake.posted('g1');
    expect(answer?.attachments).toEqual([{ type: 'reply', reply_id: message.id, base_reply_id: message.id }]);
    expect(plain?.attachments).toEqual([]);
  });

  it('returns a generated id when the echo of its post never comes', async () => {
    await fake.close();
    fake = await startFakeGroupMe({ echo: false });
    fake.addGroup('g1', 'Family');
    bridge = await startBridge(fake, { config: { echoWaitMs: 20 } });
    const ids = await bridge.bot.say(room, 'hello');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^guid:[0-9a-f-]{36}$/);
    expect(fake.posted('g1').map((m) => m.text)).toEqual(['hello']);
  });

  it('maps 429 and 5xx from bots/post to DeliveryErrors, with the wait GroupMe asked for', async () => {
    bridge = await startBridge(fake);
    fake.failNext('bots.post', { status: 429, retryAfter: 3 });
    const limited = await failure(bridge.bot.send(copy('one')));
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterMs: 3000 });
    fake.failNext('bots.post', { status: 500 });
    expect(await failure(bridge.bot.send(copy('two')))).toMatchObject({ code: 'unavailable' });
    expect(fake.posted('g1')).toHaveLength(0);
    const botId = fake.botsIn('g1')[0]?.bot_id ?? '';
    expect(limited.message).not.toContain(botId);
    expect(limited.message).not.toContain(fake.token);
  });

  it('maps 429 and 5xx from the image service to DeliveryErrors', async () => {
    bridge = await startBridge(fake);
    const img = stored(bridge, 'a.png', 'image/png', new Uint8Array([1, 2, 3]));
    fake.failNext('pictures', { status: 429, retryAfter: 7 });
    expect(await failure(bridge.bot.send(copy('x', { attachments: [img] })))).toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 7000,
    });
    fake.failNext('pictures', { status: 502 });
    expect(await failure(bridge.bot.send(copy('x', { attachments: [img] })))).toMatchObject({ code: 'unavailable' });
    expect(fake.posted('g1')).toHaveLength(0);
  });

  it('recovers when its group bot was removed on GroupMe: retryable error, then a new bot', async () => {
    bridge = await startBridge(fake);
    const old = fake.botsIn('g1')[0]?.bot_id ?? '';
    fake.bots.delete(old);
    expect(await failure(bridge.bot.send(copy('lost')))).toMatchObject({ code: 'unavailable' });
    await bridge.bot.sync();
    expect(fake.botsIn('g1').map((b) => b.bot_id)).not.toContain(old);
    expect(fake.botsIn('g1')).toHaveLength(1);
    await bridge.bot.send(copy('found'));
    expect(fake.posted('g1').map((m) => m.text)).toEqual(['found']);
  });

  it('refuses a group the account is not in', async () => {
    bridge = await startBridge(fake);
    const err = await failure(bridge.bot.send(copy('hi', { room: { platform: 'groupme', channel: 'nope' } })));
    expect(err.code).toBe('not_found');
  });

  it('declares no edits, no deletes, no impersonation, 1000 characters', async () => {
    bridge = await startBridge(fake);
    expect(bridge.bot.capabilities).toMatchObject({ maxTextLength: 1000, impersonate: false, replies: true });
    expect('edit' in bridge.bot).toBe(false);
    expect('delete' in bridge.bot).toBe(false);
  });
});
