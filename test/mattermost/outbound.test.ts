import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createMattermostBot } from '../../bots/mattermost/index.js';
import type { MmWsEvent } from '../../bots/mattermost/types.js';
import { canDelete, canEdit, canName } from '../../src/bot.js';
import type { FileId, OutboundPost, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import type { Post, User } from '../fakes/mattermost/model.js';
import { FakeMattermost } from '../fakes/mattermost/server.js';
import { startRig, until, type MattermostRig } from './setup.js';
import { outboundPost, rejection, withBot } from './shared-rig.js';

let rig: MattermostRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function roomOf(r: MattermostRig): RoomRef {
  return { platform: 'mattermost', workspace: r.fake.team.id, channel: r.town.id };
}

function post(r: MattermostRig, over: Partial<OutboundPost> = {}): OutboundPost {
  return outboundPost(roomOf(r), { idempotencyKey: 'job-1', ...over });
}

/** What `user`'s Mattermost client sees: a WebSocket of their own on the fake. */
async function clientOf(r: MattermostRig, user: User): Promise<{ readonly events: MmWsEvent[]; close(): void }> {
  const socket = new WebSocket(`${r.fake.url.replace(/^http/, 'ws')}/api/v4/websocket`);
  const events: MmWsEvent[] = [];
  socket.on('message', (data) => events.push(JSON.parse(String(data)) as MmWsEvent));
  await once(socket, 'open');
  socket.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: r.fake.model.tokenOf(user.id) } }));
  await until(() => events.some((e) => e.event === 'hello'), 'hello');
  return { events, close: () => socket.close() };
}

/** A raw REST call to the fake as `user` (for what the bot itself never sends). */
async function call(r: MattermostRig, user: User, method: string, path: string, body: unknown): Promise<{ status: number; body: Post }> {
  const res = await fetch(r.fake.url + path, {
    method,
    headers: { authorization: `Bearer ${r.fake.model.tokenOf(user.id)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Post };
}

describe('mattermost outbound', () => {
  it('declares its capabilities and optional members', async () => {
    rig = await startRig();
    expect(rig.bot.capabilities).toMatchObject({ impersonate: true, replies: true, maxTextLength: 16383 });
    expect(rig.bot.capabilities.maxFileBytes).toBe(rig.fake.maxFileBytes); // from the server's client config
    expect(canEdit(rig.bot) && canDelete(rig.bot) && canName(rig.bot)).toBe(true);
  });

  it('posts as the real author with override props, escaping user text', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post(rig, { text: '**hi** 2\\*3 @\u200bchannel' }));
    const created = rig.fake.model.posts.get(id!);
    expect(created).toMatchObject({
      user_id: rig.fake.bot.id,
      message: '**hi** 2\\*3 @\u200bchannel',
      props: { override_username: 'Ann Smith', override_icon_url: 'https://img.example/ann.png', from_webhook: 'true' },
    });
  });

  it('uploads files and attaches them by file_ids; bigger files become links', async () => {
    rig = await startRig({ maxFileBytes: 1000 });
    const small: StoredFile = { id: 'f1' as FileId, name: 'a.png', mime: 'image/png', size: 3, url: 'https://bridge/files/f1' };
    const big: StoredFile = { id: 'f2' as FileId, name: 'b.zip', mime: 'application/zip', size: 5000, url: 'https://bridge/files/f2' };
    rig.h.files.set('f1', new Uint8Array([7, 8, 9]));
    const ids = await rig.bot.send(post(rig, { text: 'see files', attachments: [small, big] }));
    expect(ids).toHaveLength(1);
    const created = rig.fake.model.posts.get(ids[0]!)!;
    expect(created.message).toBe('see files\n[b.zip](https://bridge/files/f2)');
    expect(created.metadata.files?.map((f) => [f.name, f.mime_type, f.size])).toEqual([['a.png', 'image/png', 3]]);
    expect(Array.from(rig.fake.model.files.get(created.file_ids[0]!)!.bytes)).toEqual([7, 8, 9]);
  });

  it('replies in the thread of the message, even when that message is itself a reply', async () => {
    rig = await startRig();
    const root = rig.fake.userPost(rig.alice, rig.town, 'root');
    const reply = rig.fake.userPost(rig.alice, rig.town, 'reply', { root_id: root.id });
    const [a] = await rig.bot.send(post(rig, { replyTo: remoteId(root.id) }));
    const [b] = await rig.bot.send(post(rig, { replyTo: remoteId(reply.id) }));
    expect(rig.fake.model.posts.get(a!)?.root_id).toBe(root.id);
    expect(rig.fake.model.posts.get(b!)?.root_id).toBe(root.id);
  });

  it('splits text that escaping pushed over the rune limit', async () => {
    rig = await startRig();
    const ids = await rig.bot.send(post(rig, { text: '\\*'.repeat(16_000) }));
    expect(ids).toHaveLength(2);
    const messages = ids.map((id) => rig!.fake.model.posts.get(id)!.message);
    for (const m of messages) {
      expect([...m].length).toBeLessThanOrEqual(16383);
      expect(m).toMatch(/^(\\\*)+$/);
    }
    expect(messages.join('')).toBe('\\*'.repeat(16_000));
  });

  it('answers commands as itself, without override props', async () => {
    rig = await startRig();
    const [id] = await rig.bot.say(roomOf(rig), 'code: `K7QF`');
    expect(rig.fake.model.posts.get(id!)).toMatchObject({ message: 'code: `K7QF`', props: {} });
  });

  it('edits keeping the author name, and deletes', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post(rig, { text: 'tpyo' }));
    await rig.bot.edit({ room: roomOf(rig), id: id!, author: { id: 'U1', name: 'Ann Smith' }, text: '_typo_' });
    expect(rig.fake.model.posts.get(id!)).toMatchObject({ message: '_typo_', props: { override_username: 'Ann Smith', from_webhook: 'true' } });
    expect(rig.fake.model.posts.get(id!)!.edit_at).toBeGreaterThan(0);
    await rig.bot.delete({ room: roomOf(rig), id: id! });
    expect(rig.fake.model.posts.get(id!)!.delete_at).toBeGreaterThan(0);
  });

  it('edits a relayed copy with a patch: its override name and icon survive an edit whose author has no avatar', async () => {
    rig = await startRig();
    const alice = await clientOf(rig, rig.alice);
    try {
      const [id] = await rig.bot.send(post(rig, { text: 'tpyo' }));
      const copy = rig.fake.model.posts.get(id!)!;
      const props = { override_username: 'Ann Smith', override_icon_url: 'https://img.example/ann.png', from_webhook: 'true' };
      expect(copy.props).toEqual(props);
      await rig.bot.edit({ room: roomOf(rig), id: id!, author: { id: 'U1', name: 'Ann Smith' }, text: '_typo_' });
      expect(copy).toMatchObject({ message: '_typo_', props, root_id: '', user_id: rig.fake.bot.id });
      expect(copy.edit_at).toBeGreaterThan(0);
      // Alice's client hears the edit, under the same name and picture.
      await until(() => alice.events.some((e) => e.event === 'post_edited'), 'post_edited');
      const edited = alice.events.find((e) => e.event === 'post_edited');
      expect(edited?.broadcast?.channel_id).toBe(rig.town.id);
      expect(JSON.parse(String(edited?.data?.post))).toMatchObject({ id, message: '_typo_', props });
    } finally {
      alice.close();
    }
  });

  it('fake: a patch changes only the fields it sends, and props as a whole map', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post(rig, { text: 'first' }));
    const path = `/api/v4/posts/${id!}/patch`;
    const pinned = await call(rig, rig.fake.bot, 'PUT', path, { is_pinned: true, message: null, create_at: 1 });
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ message: 'first', is_pinned: true, edit_at: 0, props: { override_icon_url: 'https://img.example/ann.png' } });
    expect(pinned.body.create_at).not.toBe(1);
    const reprops = await call(rig, rig.fake.bot, 'PUT', path, { props: { override_username: 'Bo' } });
    expect(reprops.body.props).toEqual({ override_username: 'Bo' });
    expect((await call(rig, rig.fake.bot, 'PUT', path, { message: 7 })).status).toBe(400);
    expect((await call(rig, rig.alice, 'PUT', path, { message: 'x' })).status).toBe(403);
    const mine = rig.fake.userPost(rig.alice, rig.town, 'mine');
    expect((await call(rig, rig.alice, 'PUT', `/api/v4/posts/${mine.id}/patch`, { props: { override_username: 'Z' } })).status).toBe(400);
    expect(rig.fake.model.posts.get(id!)).toMatchObject({ message: 'first', is_pinned: true, props: { override_username: 'Bo' } });
  });

  it('tells the room name', async () => {
    rig = await startRig();
    expect(await rig.bot.roomName(roomOf(rig))).toBe('~Town Square on Acme');
  });

  it('maps 429 to rate_limited with the reset wait, 5xx to unavailable, 403 to forbidden, 404 to not_found', async () => {
    rig = await startRig();
    rig.fake.failNext('create_post', { status: 429, retryAfterSec: 3 });
    expect(await rejection(rig.bot.send(post(rig)))).toMatchObject({ code: 'rate_limited', retryAfterMs: 3000 });
    rig.fake.failNext('create_post', { status: 503 });
    expect((await rejection(rig.bot.send(post(rig)))).code).toBe('unavailable');
    const secret = rig.fake.addChannel('secret', [rig.alice], { botMember: false });
    const forbidden = await rejection(rig.bot.send(post(rig, { room: { ...roomOf(rig), channel: secret.id } })));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.message).not.toContain(rig.fake.botToken);
    expect((await rejection(rig.bot.delete({ room: roomOf(rig), id: remoteId('nope') }))).code).toBe('not_found');
  });

  it('reports a file the server finds too large as rejected', async () => {
    rig = await startRig({ maxFileBytes: 10 * 1024 * 1024 });
    rig.fake.maxFileBytes = 4;
    const file: StoredFile = { id: 'f1' as FileId, name: 'big.bin', mime: 'application/octet-stream', size: 8, url: 'https://bridge/files/f1' };
    rig.h.files.set('f1', new Uint8Array(8));
    const err = await rejection(rig.bot.send(post(rig, { attachments: [file] })));
    expect(err.code).toBe('rejected');
    expect(err.message).toContain('too_large');
  });

  it('cannot edit posts it does not own', async () => {
    rig = await startRig();
    const theirs = rig.fake.userPost(rig.alice, rig.town, 'mine');
    const err = await rejection(rig.bot.edit({ room: roomOf(rig), id: remoteId(theirs.id), author: { id: 'x', name: 'X' }, text: 'hacked' }));
    expect(err.code).toBe('forbidden');
  });

  it('refuses to start with a bad token, without leaking it', async () => {
    const fake = await new FakeMattermost().start();
    await withBot(fake, createMattermostBot({ url: fake.url, token: 'bad-secret' }), async (bot, h) => {
      const err = await rejection(bot.start(h.ctx));
      expect(err.code).toBe('forbidden');
      expect(err.message).not.toContain('bad-secret');
    });
  });
});
