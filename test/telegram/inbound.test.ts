/**
 * Inbound: users talk in the fake Telegram, the real client long-polls it, the bot ingests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbound, InboundEdit, InboundPost } from '../../src/model.js';
import { toPlain } from '../../src/markup.js';
import { startRig, type Rig } from './setup.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(async () => {
  await rig.close();
});

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';
const postWith = (id: number) => (e: Inbound): e is InboundPost => isPost(e) && e.id === String(id);
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** Waits for a later marker message, so anything before it has been through the bot. */
async function drain(chatId: number): Promise<InboundPost[]> {
  const marker = rig.fake.userSays(chatId, 'marker');
  await rig.harness.waitFor(postWith(marker.message_id));
  return rig.harness.events.filter(isPost).filter((e) => e.id !== String(marker.message_id));
}

describe('messages', () => {
  it('turns a group text with entities into a canonical post', async () => {
    const chat = rig.fake.world.group('Team');
    const m = rig.fake.userSays(chat.id, '😀 hello bold world <b>', {
      entities: [
        { type: 'bold', offset: 9, length: 4 },
        { type: 'text_link', offset: 14, length: 5, url: 'https://example.com/w' },
      ],
    });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(e).toMatchObject({
      kind: 'post',
      room: { platform: 'telegram', channel: String(chat.id) },
      eventId: `msg:${chat.id}:${m.message_id}`,
      author: { id: String(rig.fake.world.alice.id), name: 'Alice Liddell' },
      text: '😀 hello **bold** [world](https://example.com/w) <b\\>',
    });
    expect(e.room.workspace).toBeUndefined();
    expect(e.author.avatarUrl).toBeUndefined();
  });

  it('names an author without a last name by first name, and uses the private chat id', async () => {
    const bob = rig.fake.world.user({ first_name: 'Bob' });
    const chat = rig.fake.world.privateChat(bob);
    const m = rig.fake.userSays(chat.id, 'hi', { from: bob });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(e.room.channel).toBe(String(bob.id));
    expect(e.author).toEqual({ id: String(bob.id), name: 'Bob' });
  });

  it('reports replies by message id', async () => {
    const chat = rig.fake.world.group();
    const first = rig.fake.userSays(chat.id, 'question');
    const second = rig.fake.userSays(chat.id, 'answer', { reply_to: first.message_id });
    const e = await rig.harness.waitFor(postWith(second.message_id));
    expect(e.replyTo).toBe(String(first.message_id));
  });

  it('puts forum topics in their own room, without treating the topic root as a reply', async () => {
    const chat = rig.fake.world.forum('Forum');
    const topic = rig.fake.world.topic(chat.id, 'Releases');
    const a = rig.fake.userSays(chat.id, 'in the topic', { thread: topic });
    const b = rig.fake.userSays(chat.id, 'reply in the topic', { thread: topic, reply_to: a.message_id });
    const c = rig.fake.userSays(chat.id, 'in General');
    const ea = await rig.harness.waitFor(postWith(a.message_id));
    const eb = await rig.harness.waitFor(postWith(b.message_id));
    const ec = await rig.harness.waitFor(postWith(c.message_id));
    expect(ea.room.channel).toBe(`${chat.id}/${topic}`);
    expect(ea.replyTo).toBeUndefined();
    expect(eb.room.channel).toBe(`${chat.id}/${topic}`);
    expect(eb.replyTo).toBe(String(a.message_id));
    expect(ec.room.channel).toBe(String(chat.id));
    // The topic's creation is a service message: not bridged.
    expect(rig.harness.events.some((e) => e.id === String(topic))).toBe(false);
  });

  it('turns edits into edit events with a per-edit event id', async () => {
    const chat = rig.fake.world.group();
    const m = rig.fake.userSays(chat.id, 'tpyo');
    await rig.harness.waitFor(postWith(m.message_id));
    const edited = rig.fake.userEdits(chat.id, m.message_id, 'typo fixed', [{ type: 'italic', offset: 5, length: 5 }]);
    const e = (await rig.harness.waitFor((x) => x.kind === 'edit')) as InboundEdit;
    expect(e).toMatchObject({
      kind: 'edit',
      room: { channel: String(chat.id) },
      id: String(m.message_id),
      eventId: `edit:${chat.id}:${m.message_id}:${edited.edit_date}`,
      text: 'typo _fixed_',
    });
  });

  it('drops the bot’s own messages and service messages', async () => {
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, 'echo of a copy', { from: rig.fake.me });
    rig.fake.userSays(chat.id, undefined); // e.g. a pinned-message notice: no content
    expect(await drain(chat.id)).toEqual([]);
  });

  it('takes channel posts, under the channel name', async () => {
    const chat = rig.fake.world.chat({ type: 'channel', title: 'News' });
    const m = rig.fake.userSays(chat.id, 'breaking', { channel: true });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(e.author).toEqual({ id: String(chat.id), name: 'News' });
  });
});

describe('files', () => {
  it('attaches the largest photo size with the caption as text, downloadable', async () => {
    const chat = rig.fake.world.group();
    const m = rig.fake.userSays(chat.id, undefined, {
      photo: { bytes: bytes(0xff, 0xd8, 0xff, 1, 2, 3) },
      caption: 'look at this',
      caption_entities: [{ type: 'bold', offset: 0, length: 4 }],
    });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(e.text).toBe('**look** at this');
    expect(e.attachments).toHaveLength(1);
    const [a] = e.attachments ?? [];
    expect(a).toMatchObject({ name: 'photo.jpg', mime: 'image/jpeg', size: 6 });
    expect(await a?.fetch?.()).toEqual(bytes(0xff, 0xd8, 0xff, 1, 2, 3));
  });

  it('attaches documents, voice and video with their names and types', async () => {
    const chat = rig.fake.world.group();
    const doc = rig.fake.userSays(chat.id, undefined, {
      document: { bytes: bytes(37, 80, 68, 70), name: 'report.pdf', mime: 'application/pdf' },
    });
    const voice = rig.fake.userSays(chat.id, undefined, { voice: { bytes: bytes(79, 103, 103) } });
    const video = rig.fake.userSays(chat.id, undefined, { video: { bytes: bytes(0, 0, 0, 24), name: 'clip.mp4' } });
    const ed = await rig.harness.waitFor(postWith(doc.message_id));
    const ev = await rig.harness.waitFor(postWith(voice.message_id));
    const ex = await rig.harness.waitFor(postWith(video.message_id));
    expect(ed.attachments?.[0]).toMatchObject({ name: 'report.pdf', mime: 'application/pdf', size: 4 });
    expect(await ed.attachments?.[0]?.fetch?.()).toEqual(bytes(37, 80, 68, 70));
    expect(ev.attachments?.[0]).toMatchObject({ name: 'voice.ogg', mime: 'audio/ogg' });
    expect(await ev.attachments?.[0]?.fetch?.()).toEqual(bytes(79, 103, 103));
    expect(ex.attachments?.[0]).toMatchObject({ name: 'clip.mp4', mime: 'video/mp4' });
  });

  it('bridges a static sticker as an image and an animated one as a label', async () => {
    const chat = rig.fake.world.group();
    const still = rig.fake.userSays(chat.id, undefined, { sticker: { bytes: bytes(82, 73, 70, 70), emoji: '😀' } });
    const moving = rig.fake.userSays(chat.id, undefined, { sticker: { bytes: bytes(1), emoji: '🎉', animated: true } });
    const es = await rig.harness.waitFor(postWith(still.message_id));
    const em = await rig.harness.waitFor(postWith(moving.message_id));
    expect(es.attachments?.[0]).toMatchObject({ name: 'sticker.webp', mime: 'image/webp' });
    expect(await es.attachments?.[0]?.fetch?.()).toEqual(bytes(82, 73, 70, 70));
    expect(em.attachments).toBeUndefined();
    expect(toPlain(em.text)).toBe('[sticker 🎉]');
  });

  it('does not try to fetch files over the 20 MB download limit, and says so', async () => {
    const chat = rig.fake.world.group();
    const m = rig.fake.userSays(chat.id, undefined, {
      document: { size: 25 * 1024 * 1024, name: 'big.zip', mime: 'application/zip' },
      caption: 'the build',
    });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(e.attachments).toBeUndefined();
    expect(toPlain(e.text)).toBe('the build\n[big.zip: 25.0 MB, too big for a bot to download]');
    expect(rig.fake.callsOf('getFile')).toHaveLength(0);
  });
});

describe('commands', () => {
  it.each([
    ['/sameroom open', '-sameroom open'],
    ['/sameroom@SameroomBot connect K7QF-M2XD-9P', '-sameroom connect K7QF-M2XD-9P'],
    ['/SameRoom@sameroombot list', '-sameroom list'],
    ['/sameroom', '-sameroom'],
    ['-sameroom portal', '-sameroom portal'],
    ['/sameroomx open', '/sameroomx open'],
  ])('%s → %s', async (typed, expected) => {
    const chat = rig.fake.world.group();
    const m = rig.fake.userSays(chat.id, typed, {
      entities: typed.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: typed.split(' ')[0]?.length ?? 0 }] : [],
    });
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(toPlain(e.text)).toBe(expected);
  });

  it('keeps command arguments with mark characters intact', async () => {
    const chat = rig.fake.world.group();
    const m = rig.fake.userSays(chat.id, '/sameroom@SameroomBot connect https://bridge.test/p/a_b*c');
    const e = await rig.harness.waitFor(postWith(m.message_id));
    expect(toPlain(e.text)).toBe('-sameroom connect https://bridge.test/p/a_b*c');
  });

  it('ignores commands addressed to another bot', async () => {
    const chat = rig.fake.world.group();
    rig.fake.userSays(chat.id, '/sameroom@OtherBot open');
    expect(await drain(chat.id)).toEqual([]);
  });
});
