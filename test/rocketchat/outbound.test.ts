import { afterEach, describe, expect, it } from 'vitest';
import { createRocketChatBot } from '../../bots/rocketchat/index.js';
import { canDelete, canEdit, canName } from '../../src/bot.js';
import type { FileId, OutboundPost, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';
import { outboundPost, rejection, withBot } from '../mattermost/shared-rig.js';
import { startRig, type RocketRig } from './setup.js';

let rig: RocketRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const roomOf = (r: RocketRig): RoomRef => ({ platform: 'rocketchat', channel: r.general._id });

const post = (r: RocketRig, over: Partial<OutboundPost> = {}): OutboundPost => outboundPost(roomOf(r), over);

describe('rocket.chat outbound', () => {
  it('declares its capabilities and optional members', async () => {
    rig = await startRig();
    expect(rig.bot.capabilities).toMatchObject({ impersonate: true, replies: true, maxTextLength: 5000 });
    expect(canEdit(rig.bot) && canDelete(rig.bot) && canName(rig.bot)).toBe(true);
  });

  it('posts as the real author with alias and avatar, rendering Rocket.Chat markup', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post(rig, { text: '**hi** \\[x\\]\\(https://evil.example\\) @\u200ball' }));
    expect(rig.fake.model.messages.get(id!)).toMatchObject({
      u: { _id: rig.fake.bot._id },
      msg: '*hi* [x]\u200b(https://evil.example) @\u200ball',
      alias: 'Ann Smith',
      avatar: 'https://img.example/ann.png',
    });
  });

  it('is idempotent: a retried delivery whose first attempt landed returns the same id', async () => {
    rig = await startRig();
    const p = post(rig, { idempotencyKey: 'delivery-7' });
    const first = await rig.bot.send(p);
    const again = await rig.bot.send(p);
    expect(again).toEqual(first);
    expect(rig.fake.messagesIn(rig.general).filter((m) => m.u._id === rig!.fake.bot._id)).toHaveLength(1);
  });

  it('replies in the thread of the message (its root when it is itself a reply)', async () => {
    rig = await startRig();
    const root = rig.fake.userSend(rig.alice, rig.general, 'root');
    const reply = rig.fake.userSend(rig.alice, rig.general, 'reply', { tmid: root._id });
    const [a] = await rig.bot.send(post(rig, { replyTo: remoteId(root._id) }));
    const [b] = await rig.bot.send(post(rig, { replyTo: remoteId(reply._id) }));
    expect(rig.fake.model.messages.get(a!)?.tmid).toBe(root._id);
    expect(rig.fake.model.messages.get(b!)?.tmid).toBe(root._id);
  });

  it('uploads files with rooms.media + rooms.mediaConfirm under the author, and links big files', async () => {
    rig = await startRig({ maxFileBytes: 100 });
    const small: StoredFile = { id: 'f1' as FileId, name: 'a.png', mime: 'image/png', size: 3, url: 'https://bridge/files/f1' };
    const big: StoredFile = { id: 'f2' as FileId, name: 'b.zip', mime: 'application/zip', size: 500, url: 'https://bridge/files/f2' };
    rig.h.files.set('f1', new Uint8Array([1, 2, 3]));
    const ids = await rig.bot.send(post(rig, { text: 'files', attachments: [small, big] }));
    expect(ids).toHaveLength(2);
    const [text, file] = ids.map((id) => rig!.fake.model.messages.get(id)!);
    expect(text?.msg).toBe('files\n[b.zip](https://bridge/files/f2)');
    expect(file).toMatchObject({ alias: 'Ann Smith', file: { name: 'a.png', type: 'image/png', size: 3 } });
    expect(Array.from(rig.fake.model.uploads.get(file!.file!._id)!.bytes)).toEqual([1, 2, 3]);
  });

  it('splits text over Message_MaxAllowedSize', async () => {
    rig = await startRig();
    const ids = await rig.bot.send(post(rig, { text: 'word '.repeat(1500).trim() }));
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(rig.fake.model.messages.get(id)!.msg.length).toBeLessThanOrEqual(5000);
  });

  it('answers commands as itself', async () => {
    rig = await startRig();
    const [id] = await rig.bot.say(roomOf(rig), 'code: `K7QF`');
    const m = rig.fake.model.messages.get(id!);
    expect(m).toMatchObject({ msg: 'code: `K7QF`' });
    expect(m?.alias).toBeUndefined();
  });

  it('edits with chat.update and deletes with chat.delete', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post(rig, { text: 'tpyo' }));
    await rig.bot.edit({ room: roomOf(rig), id: id!, author: { id: 'U1', name: 'Ann Smith' }, text: '_typo_' });
    expect(rig.fake.model.messages.get(id!)).toMatchObject({ msg: '_typo_', alias: 'Ann Smith' });
    expect(rig.fake.model.messages.get(id!)?.editedAt).toBeDefined();
    await rig.bot.delete({ room: roomOf(rig), id: id! });
    expect(rig.fake.model.messages.has(id!)).toBe(false);
  });

  it('tells the room name', async () => {
    rig = await startRig();
    expect(await rig.bot.roomName(roomOf(rig))).toBe('#general');
  });

  it('maps error-too-many-requests to rate_limited with the reset wait, 5xx to unavailable, 403 to forbidden', async () => {
    rig = await startRig();
    rig.fake.failNext('send', { status: 429, waitMs: 4000 });
    const limited = await rejection(rig.bot.send(post(rig)));
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterMs).toBeGreaterThan(3000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(4000);
    rig.fake.failNext('send', { status: 502 });
    expect((await rejection(rig.bot.send(post(rig)))).code).toBe('unavailable');
    const secret = rig.fake.model.addRoom('secret', [rig.alice]);
    const forbidden = await rejection(rig.bot.send(post(rig, { room: { platform: 'rocketchat', channel: secret._id } })));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.message).not.toContain(rig.fake.bot.token);
  });

  it('is refused editing messages it does not own, and files the server finds too large', async () => {
    rig = await startRig({ maxFileBytes: 10 * 1024 * 1024 });
    const theirs = rig.fake.userSend(rig.alice, rig.general, 'mine');
    const err = await rejection(rig.bot.edit({ room: roomOf(rig), id: remoteId(theirs._id), author: { id: 'x', name: 'X' }, text: 'hacked' }));
    expect(err.code).toBe('rejected');
    rig.fake.model.settings.FileUpload_MaxFileSize = 4;
    rig.h.files.set('f1', new Uint8Array(8));
    const file: StoredFile = { id: 'f1' as FileId, name: 'big.bin', mime: 'application/octet-stream', size: 8, url: 'https://bridge/files/f1' };
    const tooBig = await rejection(rig.bot.send(post(rig, { text: '', attachments: [file] })));
    expect(tooBig.message).toContain('error-file-too-large');
  });

  it('needs the bot role to impersonate: without message-impersonate the copy is refused', async () => {
    rig = await startRig();
    rig.fake.bot.roles = ['user'];
    expect((await rejection(rig.bot.send(post(rig)))).message).toContain('error-action-not-allowed');
  });

  it('refuses to start with a bad token, without leaking it', async () => {
    const fake = await new FakeRocketChat().start();
    await withBot(fake, createRocketChatBot({ url: fake.url, userId: fake.bot._id, authToken: 'bad-secret' }), async (bot, h) => {
      const err = await rejection(bot.start(h.ctx));
      expect(err.code).toBe('forbidden');
      expect(err.message).not.toContain('bad-secret');
    });
  });
});
