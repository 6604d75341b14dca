import { afterEach, describe, expect, it } from 'vitest';
import { SINCE_KEY } from '../../bots/matrix/sync.js';
import type { Inbound, InboundPost } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { createHarness } from '../helpers/bot-harness.js';
import { ALICE, BOB, ROOM, startRig, until, type MatrixRig } from './setup.js';

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';

let rig: MatrixRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('matrix inbound', () => {
  it('turns a text message into a post with the room, author and escaped text', async () => {
    rig = await startRig();
    const id = rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'hello *world* [x](y)' });
    const post = await rig.h.waitFor(isPost);
    expect(post).toMatchObject({
      kind: 'post',
      room: { platform: 'matrix', workspace: 'fake.test', channel: ROOM },
      id,
      eventId: id,
      author: { id: ALICE, name: 'Alice' },
      text: 'hello \\*world\\* \\[x\\]\\(y\\)',
    });
  });

  it('converts formatted_body HTML to canonical markup', async () => {
    rig = await startRig();
    rig.fake.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: 'bold and code',
      format: 'org.matrix.custom.html',
      formatted_body: '<strong>bold</strong> and <code>code</code> <a href="https://e.org">link</a>',
    });
    expect((await rig.h.waitFor(isPost)).text).toBe('**bold** and `code` [link](https://e.org)');
  });

  it('marks emotes as actions and uses the global profile for unknown members', async () => {
    rig = await startRig();
    rig.fake.createRoom('!other:other.test', [BOB]);
    rig.fake.userSend('!other:other.test', BOB, { msgtype: 'm.emote', body: 'waves' });
    const post = await rig.h.waitFor(isPost);
    expect(post).toMatchObject({ action: true, text: 'waves', author: { id: BOB, name: 'Bob' }, room: { workspace: 'other.test' } });
  });

  it('reports media with a fetch() that downloads through authenticated media', async () => {
    rig = await startRig();
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const mxc = rig.fake.uploadMedia(bytes, 'image/png', 'cat.png');
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.image', body: 'look at this', filename: 'cat.png', url: mxc, info: { mimetype: 'image/png', size: 7 } });
    const post = await rig.h.waitFor(isPost);
    expect(post.text).toBe('look at this');
    expect(post.attachments).toHaveLength(1);
    const [att] = post.attachments ?? [];
    expect(att).toMatchObject({ name: 'cat.png', mime: 'image/png', size: 7 });
    expect(Array.from(await att!.fetch!())).toEqual(Array.from(bytes));
  });

  it('uses body as the file name when there is no caption', async () => {
    rig = await startRig();
    const mxc = rig.fake.uploadMedia(new Uint8Array([1]), 'application/pdf');
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.file', body: 'report.pdf', url: mxc, info: { mimetype: 'application/pdf' } });
    const post = await rig.h.waitFor(isPost);
    expect(post.text).toBe('');
    expect(post.attachments?.[0]?.name).toBe('report.pdf');
  });

  it('carries replies, edits and redactions', async () => {
    rig = await startRig();
    const first = rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'first' });
    const reply = rig.fake.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: '> <@alice:fake.test> first\n\nsecond',
      format: 'org.matrix.custom.html',
      formatted_body: '<mx-reply><blockquote>first</blockquote></mx-reply>second',
      'm.relates_to': { 'm.in_reply_to': { event_id: first } },
    });
    const edit = rig.fake.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: '* first (fixed)',
      'm.new_content': { msgtype: 'm.text', body: 'first (fixed)' },
      'm.relates_to': { rel_type: 'm.replace', event_id: first },
    });
    await rig.h.waitFor((e) => e.kind === 'edit');
    const redaction = rig.fake.userRedact(ROOM, ALICE, reply);
    await rig.h.waitFor((e) => e.kind === 'delete');
    const [p1, p2, e1, d1] = rig.h.events;
    expect(p1).toMatchObject({ kind: 'post', id: first, text: 'first' });
    expect(p2).toMatchObject({ kind: 'post', id: reply, text: 'second', replyTo: remoteId(first) });
    expect(e1).toMatchObject({ kind: 'edit', id: first, eventId: edit, text: 'first \\(fixed\\)', author: { id: ALICE } });
    expect(d1).toMatchObject({ kind: 'delete', id: reply, eventId: redaction });
  });

  it('never ingests its own messages', async () => {
    rig = await startRig();
    await rig.bot.send({ room: { platform: 'matrix', channel: ROOM }, author: { id: 'x', name: 'X' }, text: 'copy', attachments: [], origin: 'web::r' as never, idempotencyKey: 'k1' });
    await rig.bot.say({ platform: 'matrix', channel: ROOM }, 'answer');
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'human' });
    await rig.h.waitFor((e) => isPost(e) && e.text === 'human');
    expect(rig.h.events.map((e) => (isPost(e) ? e.text : e.kind))).toEqual(['human']);
  });

  it('normalizes command forms to -sameroom', async () => {
    rig = await startRig();
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: '!sameroom open' });
    rig.fake.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: 'Sameroom: connect K7QF-M2XD-9P',
      format: 'org.matrix.custom.html',
      formatted_body: '<a href="https://matrix.to/#/@sameroom:fake.test">Sameroom</a>: connect K7QF-M2XD-9P',
      'm.mentions': { user_ids: ['@sameroom:fake.test'] },
    });
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: '-sameroom list' });
    await until(() => rig!.h.events.length === 3, 'three posts');
    expect(rig.h.events.map((e) => (isPost(e) ? e.text : ''))).toEqual(['-sameroom open', '-sameroom connect K7QF-M2XD-9P', '-sameroom list']);
  });

  it('joins rooms it is invited to, including rooms on other homeservers such as gitter.im', async () => {
    rig = await startRig();
    const gitter = '!lobby:gitter.im';
    rig.fake.createRoom(gitter, [BOB], { botJoined: false });
    rig.fake.inviteBot(gitter, BOB);
    await until(() => rig!.fake.world.rooms.get(gitter)?.members.get(rig!.fake.botUserId) === 'join', 'the join');
    const id = rig.fake.userSend(gitter, BOB, { msgtype: 'm.text', body: 'hi from gitter' });
    const post = await rig.h.waitFor(isPost);
    expect(post).toMatchObject({ id, room: { platform: 'matrix', workspace: 'gitter.im', channel: gitter }, text: 'hi from gitter' });
  });

  it('does not replay history on first start, and resumes from the stored since token', async () => {
    const first = await startRig();
    rig = first;
    first.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'one' });
    await first.h.waitFor(isPost);
    await first.bot.stop();
    // While the bot is away:
    first.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'two' });
    const h2 = createHarness();
    h2.state.set(SINCE_KEY, first.h.state.get(SINCE_KEY) ?? '');
    const second = await startRig({ fake: first.fake, harness: h2 });
    await second.h.waitFor(isPost);
    expect(second.h.events.map((e) => (isPost(e) ? e.text : ''))).toEqual(['two']);
    await h2.close(second.bot);
    // A bot with no stored token starts from now: 'one' and 'two' are history.
    const h3 = createHarness();
    const third = await startRig({ fake: first.fake, harness: h3 });
    first.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'three' });
    await third.h.waitFor(isPost);
    expect(third.h.events.map((e) => (isPost(e) ? e.text : ''))).toEqual(['three']);
    await h3.close(third.bot);
  });

  it('keeps the since token until a batch was ingested, so a failed ingest is redelivered', async () => {
    let fail = true;
    rig = await startRig({
      ctx: (ctx) => ({
        ...ctx,
        ingest: async (e) => {
          if (fail) {
            fail = false;
            throw new Error('core is down');
          }
          await ctx.ingest(e);
        },
      }),
    });
    const before = rig.h.state.get(SINCE_KEY);
    const id = rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'must arrive' });
    const post = await rig.h.waitFor(isPost);
    expect(post.id).toBe(id);
    expect(fail).toBe(false);
    await until(() => rig!.h.state.get(SINCE_KEY) !== before, 'the since token to move on');
  });

  it('waits out a rate-limited sync and carries on', async () => {
    rig = await startRig();
    rig.fake.failNext('sync', { status: 429, retryAfterMs: 50 });
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'before the limit' });
    await rig.h.waitFor(isPost);
    await until(() => rig!.fake.failuresLeft === 0, 'the 429 to be served');
    rig.fake.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'after the limit' });
    await rig.h.waitFor((e) => isPost(e) && e.text === 'after the limit');
  });
});
