import { afterEach, describe, expect, it } from 'vitest';
import { canDelete, canEdit, canName } from '../../src/bot.js';
import type { FileId, OutboundPost, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { createMatrixBot } from '../../bots/matrix/index.js';
import { FakeMatrix } from '../fakes/matrix/server.js';
import { outboundPost, rejection, withBot } from '../mattermost/shared-rig.js';
import { ALICE, ROOM, startRig, type MatrixRig } from './setup.js';

let rig: MatrixRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const room = { platform: 'matrix', workspace: 'fake.test', channel: ROOM };

const post = (over: Partial<OutboundPost> = {}): OutboundPost => outboundPost(room, { author: { id: 'U1', name: 'Ann' }, text: 'Ann: hello', ...over });

describe('matrix outbound', () => {
  it('declares its capabilities and optional members', async () => {
    rig = await startRig();
    expect(rig.bot.capabilities).toMatchObject({ impersonate: false, replies: true, maxTextLength: 16_000 });
    expect(rig.bot.capabilities.maxFileBytes).toBe(rig.fake.maxUploadBytes);
    expect(canEdit(rig.bot) && canDelete(rig.bot) && canName(rig.bot)).toBe(true);
  });

  it('posts formatted text with HTML escaped and no pings', async () => {
    rig = await startRig();
    const ids = await rig.bot.send(post({ text: '**Ann**: <b>hi</b> & [site](https://e.org) @\u200broom' }));
    expect(ids).toHaveLength(1);
    const ev = rig.fake.event(ROOM, ids[0]!);
    expect(ev?.content).toEqual({
      msgtype: 'm.text',
      body: 'Ann: <b>hi</b> & site (https://e.org) @\u200broom',
      format: 'org.matrix.custom.html',
      formatted_body: '<strong>Ann</strong>: &lt;b&gt;hi&lt;/b&gt; &amp; <a href="https://e.org">site</a> @\u200broom',
      'm.mentions': {},
    });
  });

  it('is idempotent: a retried delivery reuses its transaction id and posts once', async () => {
    rig = await startRig();
    const p = post({ idempotencyKey: 'delivery-42' });
    const first = await rig.bot.send(p);
    const again = await rig.bot.send(p);
    expect(again).toEqual(first);
    expect(rig.fake.botEvents(ROOM)).toHaveLength(1);
  });

  it('replies with m.in_reply_to', async () => {
    rig = await startRig();
    const target = rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'original' });
    const [id] = await rig.bot.send(post({ replyTo: remoteId(target) }));
    expect(rig.fake.event(ROOM, id!)?.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: target } });
  });

  it('uploads files to the media repository and links files over the limit', async () => {
    rig = await startRig();
    const png = new Uint8Array([137, 80, 78, 71, 9, 9]);
    const small: StoredFile = { id: 'f1' as FileId, name: 'cat.png', mime: 'image/png', size: png.byteLength, url: 'https://bridge.example/files/f1' };
    const big: StoredFile = { id: 'f2' as FileId, name: 'movie.mp4', mime: 'video/mp4', size: rig.fake.maxUploadBytes + 1, url: 'https://bridge.example/files/f2' };
    rig.h.files.set('f1', png);
    const ids = await rig.bot.send(post({ text: 'Ann: files', attachments: [small, big] }));
    expect(ids).toHaveLength(2);
    const [text, image] = ids.map((id) => rig!.fake.event(ROOM, id));
    expect(text?.content.body).toBe('Ann: files\nmovie.mp4 (https://bridge.example/files/f2)');
    expect(image?.content).toMatchObject({ msgtype: 'm.image', body: 'cat.png', filename: 'cat.png', info: { mimetype: 'image/png', size: 6 } });
    const mxc = String(image?.content.url);
    const media = rig.fake.world.media.get(mxc.split('/').pop() ?? '');
    expect(media?.mime).toBe('image/png');
    expect(Array.from(media?.bytes ?? [])).toEqual(Array.from(png));
  });

  it('splits text whose event would be too large for the homeserver', async () => {
    rig = await startRig();
    const ids = await rig.bot.send(post({ text: `**${'漢'.repeat(15_000)}**`, idempotencyKey: 'big' }));
    expect(ids.length).toBeGreaterThan(1);
    expect(rig.fake.botEvents(ROOM)).toHaveLength(ids.length);
  });

  it('answers commands as m.notice', async () => {
    rig = await startRig();
    const ids = await rig.bot.say(room, 'Paste `-sameroom connect K7QF`');
    expect(rig.fake.event(ROOM, ids[0]!)?.content).toMatchObject({ msgtype: 'm.notice', formatted_body: 'Paste <code>-sameroom connect K7QF</code>' });
  });

  it('edits with m.replace and m.new_content, and deletes by redaction', async () => {
    rig = await startRig();
    const [id] = await rig.bot.send(post({ text: 'Ann: tpyo' }));
    await rig.bot.edit({ room, id: id!, author: { id: 'U1', name: 'Ann' }, text: 'Ann: **typo**' });
    const edit = rig.fake.botEvents(ROOM)[1];
    expect(edit?.content).toEqual({
      msgtype: 'm.text',
      body: '* Ann: typo',
      format: 'org.matrix.custom.html',
      formatted_body: '* Ann: <strong>typo</strong>',
      'm.new_content': { msgtype: 'm.text', body: 'Ann: typo', format: 'org.matrix.custom.html', formatted_body: 'Ann: <strong>typo</strong>', 'm.mentions': {} },
      'm.relates_to': { rel_type: 'm.replace', event_id: id },
      'm.mentions': {},
    });
    await rig.bot.delete({ room, id: id! });
    const redaction = rig.fake.botEvents(ROOM)[2];
    expect(redaction).toMatchObject({ type: 'm.room.redaction', redacts: id });
    expect(rig.fake.event(ROOM, id!)?.content).toEqual({});
  });

  it('tells the room name', async () => {
    rig = await startRig();
    expect(await rig.bot.roomName(room)).toBe('General');
  });

  it('maps M_LIMIT_EXCEEDED to rate_limited with the wait, 5xx to unavailable, M_FORBIDDEN to forbidden', async () => {
    rig = await startRig();
    rig.fake.failNext('send', { status: 429, retryAfterMs: 1234 });
    const limited = await rejection(rig.bot.send(post()));
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterMs: 1234, transient: true });
    rig.fake.failNext('send', { status: 502 });
    expect((await rejection(rig.bot.send(post()))).code).toBe('unavailable');
    rig.fake.failNext('redact', { status: 404, errcode: 'M_NOT_FOUND' });
    expect((await rejection(rig.bot.delete({ room, id: remoteId('$nope') }))).code).toBe('not_found');
    const stranger = { platform: 'matrix', channel: '!notjoined:fake.test' };
    rig.fake.createRoom(stranger.channel, [ALICE], { botJoined: false });
    const forbidden = await rejection(rig.bot.send(post({ room: stranger })));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.transient).toBe(false);
    for (const e of [limited, forbidden]) expect(e.message).not.toContain(rig.fake.botToken);
  });

  it('refuses to start with a bad token, without leaking it', async () => {
    const fake = await new FakeMatrix().start();
    await withBot(fake, createMatrixBot({ homeserverUrl: fake.url, accessToken: 'wrong-secret-token' }), async (bot, h) => {
      const err = await rejection(bot.start(h.ctx));
      // Deliveries wait for a new token rather than being dead-lettered at once.
      expect(err.code).toBe('unavailable');
      expect(err.message).toContain('the homeserver rejected MATRIX_ACCESS_TOKEN (M_UNKNOWN_TOKEN)');
      expect(err.message).not.toContain('wrong-secret-token');
    });
  });
});
