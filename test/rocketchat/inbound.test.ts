import { afterEach, describe, expect, it } from 'vitest';
import type { Inbound, InboundPost } from '../../src/model.js';
import { startRig, until, type RocketRig } from './setup.js';
import { expectLinkStateReported } from '../mattermost/shared-rig.js';

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';
const texts = (r: RocketRig): string[] => r.h.events.map((e) => (isPost(e) ? e.text : e.kind));

let rig: RocketRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('rocket.chat inbound', () => {
  it('turns a streamed message into a post with room, author, avatar and canonical text', async () => {
    rig = await startRig();
    const m = rig.fake.userSend(rig.alice, rig.general, '*hi* there');
    const post = await rig.h.waitFor(isPost);
    expect(post).toMatchObject({
      kind: 'post',
      room: { platform: 'rocketchat', channel: rig.general._id },
      id: m._id,
      eventId: m._id,
      author: { id: rig.alice._id, name: 'Alice Adams', avatarUrl: `${rig.fake.url}/avatar/alice` },
      text: '**hi** there',
    });
  });

  it('carries thread replies once, even though the parent is streamed again', async () => {
    rig = await startRig();
    const root = rig.fake.userSend(rig.alice, rig.general, 'root');
    rig.fake.userSend(rig.alice, rig.general, 'reply', { tmid: root._id });
    rig.fake.userSend(rig.alice, rig.general, 'next');
    await rig.h.waitFor((e) => isPost(e) && e.text === 'next');
    expect(texts(rig)).toEqual(['root', 'reply', 'next']);
    expect(rig.h.events[1]).toMatchObject({ replyTo: root._id });
  });

  it('turns editedAt into an edit', async () => {
    rig = await startRig();
    const m = rig.fake.userSend(rig.alice, rig.general, 'tpyo');
    await rig.h.waitFor(isPost);
    rig.fake.userEdit(m._id, 'typo');
    const edit = await rig.h.waitFor((e) => e.kind === 'edit');
    expect(edit).toMatchObject({ kind: 'edit', id: m._id, text: 'typo', author: { name: 'Alice Adams' } });
    expect(edit.eventId).not.toBe(m._id);
  });

  it('sees deletions as t:rm (show deleted status on) and as deleteMessage notifications (off)', async () => {
    rig = await startRig();
    const a = rig.fake.userSend(rig.alice, rig.general, 'first');
    const b = rig.fake.userSend(rig.alice, rig.general, 'second');
    await until(() => rig!.h.events.length === 2, 'two posts');
    rig.fake.userDelete(a._id);
    await rig.h.waitFor((e) => e.kind === 'delete' && e.id === a._id);
    rig.fake.model.settings.Message_ShowDeletedStatus = true;
    rig.fake.userDelete(b._id);
    await rig.h.waitFor((e) => e.kind === 'delete' && e.id === b._id);
    expect(rig.h.events.filter((e) => e.kind === 'delete').map((e) => e.room)).toEqual([
      { platform: 'rocketchat', channel: rig.general._id },
      { platform: 'rocketchat', channel: rig.general._id },
    ]);
  });

  it('follows deletions in rooms it first hears of after start', async () => {
    rig = await startRig();
    const later = rig.fake.model.addRoom('later', [rig.alice, rig.fake.bot]);
    const m = rig.fake.userSend(rig.alice, later, 'hello from a new room');
    await rig.h.waitFor(isPost);
    await until(() => rig!.fake.ddp.deleteSubs(later._id) === 1, 'the deleteMessage subscription');
    rig.fake.userDelete(m._id);
    await rig.h.waitFor((e) => e.kind === 'delete');
  });

  it('reports uploaded files with a fetch() that downloads with the bot credentials', async () => {
    rig = await startRig();
    rig.fake.userUpload(rig.alice, rig.general, 'cat.png', 'image/png', new Uint8Array([5, 6, 7]), 'my cat');
    const post = await rig.h.waitFor(isPost);
    expect(post.text).toBe('my cat');
    expect(post.attachments?.[0]).toMatchObject({ name: 'cat.png', mime: 'image/png', size: 3 });
    expect(Array.from(await post.attachments![0]!.fetch!())).toEqual([5, 6, 7]);
  });

  it('drops its own messages, whatever alias they carry, and system messages', async () => {
    rig = await startRig();
    const room = { platform: 'rocketchat', channel: rig.general._id };
    await rig.bot.send({ room, author: { id: 'x', name: 'Zed' }, text: 'copy', attachments: [], origin: 'web::r' as never, idempotencyKey: 'k' });
    await rig.bot.say(room, 'answer');
    rig.fake.userSend(rig.alice, rig.general, 'alice', { t: 'uj' });
    rig.fake.userSend(rig.alice, rig.general, 'human');
    await rig.h.waitFor((e) => isPost(e) && e.text === 'human');
    expect(texts(rig)).toEqual(['human']);
  });

  it('normalizes a leading mention of the bot into a command', async () => {
    rig = await startRig();
    rig.fake.userSend(rig.alice, rig.general, '@sameroom open');
    rig.fake.userSend(rig.alice, rig.general, '-sameroom help');
    await until(() => rig!.h.events.length === 2, 'two posts');
    expect(texts(rig)).toEqual(['-sameroom open', '-sameroom help']);
  });

  it('reconnects and logs in again after the connection drops', async () => {
    rig = await startRig();
    rig.fake.ddp.dropAll();
    await until(() => rig!.fake.ddp.logins === 2 && rig!.fake.ddp.listening === 1, 'the resubscription');
    rig.fake.userSend(rig.alice, rig.general, 'after the drop');
    expect((await rig.h.waitFor(isPost)).text).toBe('after the drop');
  });

  it('reports its connection for /readyz: up once logged in, down with the reason while the link is lost', async () => {
    const r = (rig = await startRig({ retryMs: 60_000 }));
    await expectLinkStateReported(r.bot, () => r.fake.ddp.dropAll());
  });
});
