/**
 * Outbound: the bot posts copies, answers, edits and deletes through the real client into the
 * fake Telegram, which parses the HTML the way Telegram does and keeps what was posted.
 */
import type { Chat } from 'node-telegram-bot-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import { escapeText } from '../../src/markup.js';
import type { FileId, OutboundPost, RemoteMessageId, RoomKey, StoredFile } from '../../src/model.js';
import { startRig, type Rig } from './setup.js';

let rig: Rig;
let chat: Chat;
beforeEach(async () => {
  rig = await startRig();
  chat = rig.fake.world.group('Team');
});
afterEach(async () => {
  await rig.close();
});

const room = (channel = String(chat.id)) => ({ platform: 'telegram', channel });
const post = (text: string, extra: Partial<OutboundPost> = {}): OutboundPost => ({
  room: room(),
  author: { id: 'u1', name: 'Bob' },
  text,
  attachments: [],
  origin: 'discord:g:c' as RoomKey,
  idempotencyKey: 'k1',
  ...extra,
});
const rid = (n: number) => String(n) as RemoteMessageId;

function stored(name: string, mime: string, bytes: Uint8Array, size = bytes.byteLength): StoredFile {
  const id = `file-${name}` as FileId;
  rig.harness.files.set(id, bytes);
  return { id, name, mime, size, url: `https://bridge.test/files/${id}/${name}` };
}

const sent = () => rig.fake.botMessages(chat.id);
async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('text', () => {
  it('posts formatting as Telegram entities and user text as text', async () => {
    const ids = await rig.bot.send(post(`**Bob**: ${escapeText('<b>not bold</b> & <i>')} _really_ [docs](https://x.test/a?b=1&c=2)`));
    expect(ids).toEqual([String(sent()[0]?.message.message_id)]);
    const m = sent()[0]?.message;
    expect(m?.text).toBe('Bob: <b>not bold</b> & <i> really docs');
    expect(m?.entities).toEqual([
      { type: 'bold', offset: 0, length: 3 },
      { type: 'italic', offset: 27, length: 6 },
      { type: 'text_link', offset: 34, length: 4, url: 'https://x.test/a?b=1&c=2' },
    ]);
  });

  it('splits long text into messages under 4096, in order', async () => {
    const words = Array.from({ length: 1800 }, (_, i) => `w${i}`).join(' '); // ~10k characters
    const ids = await rig.bot.send(post(words));
    const msgs = sent();
    expect(ids).toEqual(msgs.map((m) => String(m.message.message_id)));
    expect(msgs.length).toBe(3);
    for (const m of msgs) expect(m.message.text?.length).toBeLessThanOrEqual(4096);
    expect(msgs.map((m) => m.message.text).join(' ')).toBe(words);
  });

  it('splits again when the HTML grows past 4096 through escaping', async () => {
    const text = escapeText('a < b && c > d; '.repeat(250)); // 4000 characters, ~6500 of HTML
    const ids = await rig.bot.send(post(text));
    expect(ids.length).toBeGreaterThan(1);
    for (const m of sent()) expect(m.html?.length).toBeLessThanOrEqual(4096);
    expect(sent().map((m) => m.message.text).join(' ')).toBe('a < b && c > d; '.repeat(250).trim());
  });

  it('replies as a real reply, on the first message only', async () => {
    const original = rig.fake.userSays(chat.id, 'question');
    await rig.bot.send(post(`answer ${'x'.repeat(5000)}`, { replyTo: rid(original.message_id) }));
    const [first, second] = sent();
    expect(first?.message.reply_to_message?.message_id).toBe(original.message_id);
    expect(second?.message.reply_to_message).toBeUndefined();
  });

  it('still posts when the message replied to is gone', async () => {
    const ids = await rig.bot.send(post('answer', { replyTo: rid(999) }));
    expect(ids).toHaveLength(1);
  });

  it('posts into a forum topic', async () => {
    const forum = rig.fake.world.forum();
    const topic = rig.fake.world.topic(forum.id, 'Ops');
    await rig.bot.send(post('in topic', { room: room(`${forum.id}/${topic}`) }));
    const [m] = rig.fake.botMessages(forum.id);
    expect(m?.message).toMatchObject({ text: 'in topic', message_thread_id: topic, is_topic_message: true });
  });

  it('answers commands as the bot, with a reply', async () => {
    const q = rig.fake.userSays(chat.id, '/sameroom open');
    const ids = await rig.bot.say(room(), 'Code: `K7QF-M2XD-9P`', rid(q.message_id));
    expect(ids).toHaveLength(1);
    expect(sent()[0]?.message).toMatchObject({ text: 'Code: K7QF-M2XD-9P', reply_to_message: { message_id: q.message_id } });
    expect(sent()[0]?.message.entities).toEqual([{ type: 'code', offset: 6, length: 12 }]);
  });

  it('names rooms', async () => {
    expect(await rig.bot.roomName(room())).toBe('Team');
  });
});

describe('files', () => {
  it('uploads images with sendPhoto and other files with sendDocument, named, the text as caption', async () => {
    const png = stored('cat.png', 'image/png', new Uint8Array([137, 80, 78, 71]));
    const pdf = stored('report.pdf', 'application/pdf', new Uint8Array([37, 80, 68, 70]));
    const ids = await rig.bot.send(post('**Bob**: files', { attachments: [png, pdf] }));
    const [photo, doc] = sent();
    expect(ids).toEqual([String(photo?.message.message_id), String(doc?.message.message_id)]);
    expect(photo?.message.caption).toBe('Bob: files');
    expect(photo?.message.caption_entities).toEqual([{ type: 'bold', offset: 0, length: 3 }]);
    expect(photo?.file).toMatchObject({ name: 'cat.png', mime: 'image/png', bytes: new Uint8Array([137, 80, 78, 71]) });
    expect(doc?.message.document).toMatchObject({ file_name: 'report.pdf', mime_type: 'application/pdf' });
    expect(doc?.message.caption).toBeUndefined();
    expect(rig.fake.callsOf('sendPhoto')).toHaveLength(1);
    expect(rig.fake.callsOf('sendDocument')).toHaveLength(1);
  });

  it('sends a text too long for a caption separately, before the file', async () => {
    const pdf = stored('a.pdf', 'application/pdf', new Uint8Array([1]));
    const text = 'long '.repeat(300);
    const ids = await rig.bot.send(post(text, { attachments: [pdf], replyTo: rid(rig.fake.userSays(chat.id, 'q').message_id) }));
    const [t, f] = sent();
    expect(ids).toHaveLength(2);
    expect(t?.message.text).toBe(text.trim());
    expect(t?.message.reply_to_message).toBeDefined();
    expect(f?.message.document).toBeDefined();
    expect(f?.message.caption).toBeUndefined();
  });

  it('links files over 50 MB instead of uploading them', async () => {
    const big = stored('movie.mp4', 'video/mp4', new Uint8Array([1, 2, 3]), 51 * 1024 * 1024);
    await rig.bot.send(post('**Bob**: see', { attachments: [big] }));
    const [m] = sent();
    expect(m?.message.text).toBe('Bob: see\nmovie.mp4');
    expect(m?.message.entities).toContainEqual({ type: 'text_link', offset: 9, length: 9, url: big.url });
    expect(rig.fake.callsOf('sendDocument')).toHaveLength(0);
  });
});

describe('edits and deletes', () => {
  it('edits a text copy', async () => {
    const [id] = await rig.bot.send(post('**Bob**: tpyo'));
    await rig.bot.edit({ room: room(), id: id as RemoteMessageId, author: { id: 'u1', name: 'Bob' }, text: '**Bob**: typo <fixed>' });
    expect(sent()[0]?.message.text).toBe('Bob: typo <fixed>');
    expect(sent()[0]?.edits).toBe(1);
  });

  it('edits the caption of a file copy', async () => {
    const png = stored('cat.png', 'image/png', new Uint8Array([1]));
    const [id] = await rig.bot.send(post('**Bob**: cat', { attachments: [png] }));
    await rig.bot.edit({ room: room(), id: id as RemoteMessageId, author: { id: 'u1', name: 'Bob' }, text: '**Bob**: a cat' });
    expect(sent()[0]?.message.caption).toBe('Bob: a cat');
  });

  it('treats an edit that changes nothing as done', async () => {
    const [id] = await rig.bot.send(post('same'));
    await rig.bot.edit({ room: room(), id: id as RemoteMessageId, author: { id: 'u1', name: 'Bob' }, text: 'same' });
    expect(sent()[0]?.edits).toBe(0);
  });

  it('deletes a copy', async () => {
    const [id] = await rig.bot.send(post('oops'));
    await rig.bot.delete({ room: room(), id: id as RemoteMessageId });
    expect(sent()[0]?.deleted).toBe(true);
  });

  it('reports a missing message as not_found', async () => {
    const gone = { room: room(), id: rid(4242) };
    expect((await failure(rig.bot.delete(gone))).code).toBe('not_found');
    expect((await failure(rig.bot.edit({ ...gone, author: { id: 'u', name: 'U' }, text: 'x' }))).code).toBe('not_found');
  });
});

describe('errors', () => {
  it('surfaces 429 as rate_limited with retry_after in ms, without retrying itself', async () => {
    rig.fake.failNext('sendMessage', { status: 429, retryAfter: 7 });
    const err = await failure(rig.bot.send(post('hi')));
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
    expect(rig.fake.callsOf('sendMessage')).toHaveLength(1);
    expect(sent()).toHaveLength(0);
  });

  it('surfaces a burst with 429s as rate_limited for exactly those posts', async () => {
    rig.fake.failNext('sendMessage', { status: 429, retryAfter: 3, times: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => rig.bot.send(post(`m${i}`))));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as DeliveryError);
    expect(rejected).toHaveLength(2);
    for (const e of rejected) expect([e.code, e.retryAfterMs]).toEqual(['rate_limited', 3000]);
    expect(sent()).toHaveLength(3);
  });

  it('surfaces 5xx as unavailable, 403 as forbidden, an unknown chat as not_found', async () => {
    rig.fake.failNext('sendMessage', { status: 502 });
    expect((await failure(rig.bot.send(post('a')))).code).toBe('unavailable');
    rig.fake.failNext('sendPhoto', { status: 403, description: 'Forbidden: bot was kicked from the supergroup chat' });
    const png = stored('p.png', 'image/png', new Uint8Array([1]));
    expect((await failure(rig.bot.send(post('a', { attachments: [png] })))).code).toBe('forbidden');
    expect((await failure(rig.bot.send(post('a', { room: room('-100999') })))).code).toBe('not_found');
  });

  it('never puts the token in an error', async () => {
    const wrong = rig.newBot({ token: `${rig.fake.token}x` });
    const e1 = await failure(wrong.send(post('a')));
    expect(e1.code).toBe('forbidden');
    const offline = rig.newBot({ apiUrl: 'http://127.0.0.1:9' });
    const e2 = await failure(offline.send(post('a')));
    expect(e2.code).toBe('unavailable');
    for (const e of [e1, e2]) expect(`${e.message} ${String(e.stack)}`).not.toContain(rig.fake.token);
  });
});
