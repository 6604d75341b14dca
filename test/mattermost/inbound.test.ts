import { afterEach, describe, expect, it } from 'vitest';
import type { Inbound, InboundPost } from '../../src/model.js';
import { startRig, until, type MattermostRig } from './setup.js';
import { expectLinkStateReported } from './shared-rig.js';

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';

let rig: MattermostRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('mattermost inbound', () => {
  it('turns a posted event into a post with team, channel, author and canonical text', async () => {
    rig = await startRig();
    const p = rig.fake.userPost(rig.alice, rig.town, 'hi **there** C:\\temp');
    const post = await rig.h.waitFor(isPost);
    expect(post).toMatchObject({
      kind: 'post',
      room: { platform: 'mattermost', workspace: rig.fake.team.id, channel: rig.town.id },
      id: p.id,
      eventId: p.id,
      author: { id: rig.alice.id, name: 'Alice Liddell' },
      text: 'hi **there** C:\\\\temp',
    });
  });

  it('carries thread replies, edits and deletes', async () => {
    rig = await startRig();
    const root = rig.fake.userPost(rig.alice, rig.town, 'root');
    const reply = rig.fake.userPost(rig.alice, rig.town, 'in thread', { root_id: root.id });
    rig.fake.userEdit(root.id, 'root (edited)');
    rig.fake.userDelete(reply.id);
    await rig.h.waitFor((e) => e.kind === 'delete');
    const [a, b, c, d] = rig.h.events;
    expect(a).toMatchObject({ kind: 'post', id: root.id, text: 'root' });
    expect(b).toMatchObject({ kind: 'post', id: reply.id, replyTo: root.id });
    expect(c).toMatchObject({ kind: 'edit', id: root.id, text: 'root (edited)', author: { name: 'Alice Liddell' } });
    expect(c?.eventId).not.toBe(root.id);
    expect(d).toMatchObject({ kind: 'delete', id: reply.id, room: { workspace: rig.fake.team.id } });
  });

  it('reports files with a fetch() that downloads them with the bot token', async () => {
    rig = await startRig();
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const fileId = rig.fake.userUpload(rig.alice, rig.town, 'notes.txt', 'text/plain', bytes);
    rig.fake.userPost(rig.alice, rig.town, '', { file_ids: [fileId] });
    const post = await rig.h.waitFor(isPost);
    expect(post.text).toBe('');
    expect(post.attachments?.[0]).toMatchObject({ name: 'notes.txt', mime: 'text/plain', size: 4 });
    expect(Array.from(await post.attachments![0]!.fetch!())).toEqual([1, 2, 3, 4]);
  });

  it('drops its own posts, including copies posted under another name, and system messages', async () => {
    rig = await startRig();
    const room = { platform: 'mattermost', workspace: rig.fake.team.id, channel: rig.town.id };
    await rig.bot.send({ room, author: { id: 'x', name: 'Zed' }, text: 'copy', attachments: [], origin: 'web::r' as never, idempotencyKey: 'k' });
    await rig.bot.say(room, 'answer');
    rig.fake.userPost(rig.alice, rig.town, 'alice joined', { type: 'system_join_channel' });
    rig.fake.userPost(rig.alice, rig.town, 'human');
    await rig.h.waitFor((e) => isPost(e) && e.text === 'human');
    expect(rig.h.events.map((e) => (isPost(e) ? e.text : e.kind))).toEqual(['human']);
  });

  it('treats /me posts as actions and other integrations by their overridden name', async () => {
    rig = await startRig();
    rig.fake.userPost(rig.alice, rig.town, '*waves*', { type: 'me' });
    const hook = rig.fake.addUser('jira-bot');
    rig.fake.model.channels.get(rig.town.id)?.members.add(hook.id);
    rig.fake.userPost(hook, rig.town, 'ticket created', { props: { from_webhook: 'true', override_username: 'Jira' } });
    await until(() => rig!.h.events.length === 2, 'two posts');
    expect(rig.h.events[0]).toMatchObject({ action: true, text: 'waves' });
    expect(rig.h.events[1]).toMatchObject({ author: { id: hook.id, name: 'Jira' } });
  });

  it('normalizes a leading mention of the bot into a command', async () => {
    rig = await startRig();
    rig.fake.userPost(rig.alice, rig.town, '@sameroom open');
    rig.fake.userPost(rig.alice, rig.town, '-sameroom list');
    await until(() => rig!.h.events.length === 2, 'two posts');
    expect(rig.h.events.map((e) => (isPost(e) ? e.text : ''))).toEqual(['-sameroom open', '-sameroom list']);
  });

  it('sees direct messages without a workspace', async () => {
    rig = await startRig();
    const dm = rig.fake.addChannel('dm', [rig.alice], { type: 'D' });
    rig.fake.userPost(rig.alice, dm, 'psst');
    const post = await rig.h.waitFor(isPost);
    expect(post.room).toEqual({ platform: 'mattermost', channel: dm.id });
  });

  it('resumes after a dropped connection without losing events', async () => {
    rig = await startRig();
    rig.fake.userPost(rig.alice, rig.town, 'before');
    await rig.h.waitFor(isPost);
    rig.fake.hub.dropAll();
    rig.fake.userPost(rig.alice, rig.town, 'during');
    await until(() => rig!.fake.hub.authenticated === 1, 'the reconnect');
    rig.fake.userPost(rig.alice, rig.town, 'after');
    await until(() => rig!.h.events.length === 3, 'three posts');
    expect(rig.h.events.map((e) => (isPost(e) ? e.text : ''))).toEqual(['before', 'during', 'after']);
  });

  it('reports its connection for /readyz: up once authenticated, down with the reason while the link is lost', async () => {
    // A long back-off keeps the link down long enough to see it.
    const r = (rig = await startRig({ retryMs: 60_000 }));
    await expectLinkStateReported(r.bot, () => r.fake.hub.dropAll());
  });
});
