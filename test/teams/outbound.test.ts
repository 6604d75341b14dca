/**
 * Outbound: proactive posts through stored conversation references, against the fake connector
 * through the Agents SDK's real ConnectorClient.
 */
import { Activity } from '@microsoft/agents-activity';
import { afterEach, describe, expect, it } from 'vitest';
import { toDeliveryError } from '../../bots/teams/errors.js';
import { connectorFactory } from '../../bots/teams/transport.js';
import { DeliveryError } from '../../src/errors.js';
import { remoteId, roomKey, type FileId, type OutboundPost, type RoomKey, type RoomRef, type StoredFile } from '../../src/model.js';
import type { FakeConversation } from '../fakes/teams/connector.js';
import { FakeTeams } from '../fakes/teams/teams.js';
import { startRig, type TeamsRig } from './setup.js';

const rigs: TeamsRig[] = [];
let fake: FakeTeams | undefined;
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  await fake?.close();
  fake = undefined;
});

async function open(f?: FakeTeams, state?: ReadonlyMap<string, string>): Promise<TeamsRig> {
  const r = await startRig({ ...(f ? { fake: f } : {}), ...(state ? { state } : {}) });
  rigs.push(r);
  return r;
}

/** A rig whose bot has seen one message in `conv`; returns the room and that message's id. */
async function seen(r: TeamsRig, conv: FakeConversation, thread?: string): Promise<{ room: RoomRef; id: string }> {
  const msg = r.fake.message(conv, r.alice, { text: 'hi', mention: true, ...(thread ? { thread } : {}) });
  await r.fake.deliver(msg);
  const e = r.h.events[r.h.events.length - 1];
  if (!e) throw new Error('nothing ingested');
  return { room: e.room, id: String(msg.id) };
}

function post(room: RoomRef, text: string, extra: Partial<OutboundPost> = {}): OutboundPost {
  return { room, author: { id: 'u1', name: 'Bob' }, text, attachments: [], origin: 'slack:T1:C1' as RoomKey, idempotencyKey: 'k1', ...extra };
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(err)}`);
  return err;
}

describe('send', () => {
  it('posts proactively after a restart: a new bot instance with the same state', async () => {
    fake = await FakeTeams.start();
    const first = await open(fake);
    const chan = fake.channel();
    const { room } = await seen(first, chan);
    const state = new Map(first.h.state);
    await first.close();
    rigs.splice(rigs.indexOf(first), 1);

    const second = await open(fake, state);
    const ids = await second.bot.send(post(room, 'Bob: hello from **Slack**'));
    expect(ids).toHaveLength(1);
    const call = fake.connector.calls.at(-1);
    expect(call).toMatchObject({ op: 'send', conversationId: chan.id, activity: { type: 'message', textFormat: 'xml', text: 'Bob: hello from <b>Slack</b>' } });
    expect(fake.connector.live(chan.id).map((a) => a.id)).toContain(ids[0]);
  });

  it('posts through a reference stored by the botbuilder version of the bot (`bot`, empty names)', async () => {
    fake = await FakeTeams.start();
    const chan = fake.channel();
    const room: RoomRef = { platform: 'teams', workspace: chan.teamId ?? '', channel: chan.id };
    const legacy = {
      channelId: 'msteams',
      serviceUrl: fake.connector.url,
      bot: fake.bot,
      conversation: { id: chan.id, isGroup: true, conversationType: 'channel', name: '', tenantId: chan.tenantId },
    };
    const r = await open(fake, new Map([[`ref:${roomKey(room)}`, JSON.stringify(legacy)]]));
    const [id] = await r.bot.send(post(room, 'Bob: after the upgrade'));
    expect(fake.connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: chan.id, id, activity: { from: fake.bot, text: 'Bob: after the upgrade' } });
    expect(await r.bot.roomName(room)).toBe('#General in Contoso');
  });

  it("connector calls carry the bot's token; an authenticated connector refuses them without one", async () => {
    fake = await FakeTeams.start({ appId: 'app' });
    const chat = fake.groupChat();
    const message = Activity.fromObject({ type: 'message', text: 'hi', textFormat: 'xml' });
    const client = await connectorFactory(async () => 'bot-token')(fake.connector.url);
    const res = await client.sendToConversation(encodeURIComponent(chat.id), message);
    expect(fake.connector.calls.at(-1)).toMatchObject({ op: 'send', conversationId: chat.id, authorization: 'Bearer bot-token', id: res.id });
    const anonymous = await connectorFactory(async () => undefined)(fake.connector.url);
    await expect(anonymous.sendToConversation(encodeURIComponent(chat.id), message)).rejects.toMatchObject({ status: 401 });
  });

  it('a connector that does not answer: the call gives up and is unavailable (the room does not wait forever)', async () => {
    fake = await FakeTeams.start();
    const chat = fake.groupChat();
    fake.connector.failNext('send', { status: 504, hang: true });
    const client = await connectorFactory(async () => undefined, 200)(fake.connector.url);
    const message = Activity.fromObject({ type: 'message', text: 'hi', textFormat: 'xml' });
    const err: unknown = await client.sendToConversation(encodeURIComponent(chat.id), message).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toDeliveryError(err, 'send')).toMatchObject({ code: 'unavailable', message: 'teams send: network error ETIMEDOUT' });
    expect(fake.connector.live(chat.id)).toEqual([]);
  });

  it('escapes user text: no HTML and no <at> mention can be injected', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    await r.bot.send(post(room, 'Bob: <at>Alice</at> <img src=x onerror=alert(1)> &amp;'));
    const sent = r.fake.connector.calls.at(-1)?.activity;
    expect(sent?.text).toBe('Bob: &lt;at&gt;Alice&lt;/at&gt; &lt;img src=x onerror=alert(1)&gt; &amp;amp;');
    expect(sent?.entities ?? []).toEqual([]);
  });

  it('a room the bot never saw is not_found', async () => {
    const r = await open();
    const err = await rejection(r.bot.send(post({ platform: 'teams', workspace: 't', channel: '19:nowhere@thread.tacv2' }, 'x')));
    expect(err.code).toBe('not_found');
    expect(r.fake.connector.requests).toBe(0);
  });

  it('files are posted as links (maxFileBytes 0)', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    const file: StoredFile = { id: 'f1' as FileId, name: 'report <1>.pdf', mime: 'application/pdf', size: 2048, url: 'https://bridge.example.com/files/f1?name=a&b' };
    expect(r.bot.capabilities.maxFileBytes).toBe(0);
    await r.bot.send(post(room, 'Bob: see attached', { attachments: [file] }));
    const text = r.fake.connector.calls.at(-1)?.activity?.text;
    expect(text).toBe('Bob: see attached<br>📎 <a href="https://bridge.example.com/files/f1?name=a&amp;b">report &lt;1&gt;.pdf</a> (2.0 KB)');
  });

  it('text over the byte limit is split into several messages the connector accepts', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    const words = Array.from({ length: 6000 }, (_, i) => `wörd${i}<>`).join(' ');
    const ids = await r.bot.send(post(room, words));
    expect(ids.length).toBeGreaterThan(1);
    const texts = r.fake.connector.calls.slice(-ids.length).map((c) => c.activity?.text ?? '');
    for (const t of texts) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(24_000);
    const back = texts.map((t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>')).join(' ');
    expect(back).toBe(words);
  });

  it('the connector refuses an activity over 28 KB (the fake enforces the limit)', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const res = await fetch(`${r.fake.connector.url}v3/conversations/${encodeURIComponent(chat.id)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x'.repeat(29 * 1024) }),
    });
    expect(res.status).toBe(413);
  });
});

describe('replies', () => {
  it('in a channel, a reply goes into the thread of the message it answers', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const { room, id: rootId } = await seen(r, chan);
    const [copy] = await r.bot.send(post(room, 'Bob: answer', { replyTo: remoteId(rootId) }));
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'reply', conversationId: `${chan.id};messageid=${rootId}`, activityId: rootId });
    expect(chan.messages.get(String(copy))?.root).toBe(rootId);

    // Replying to the copy (itself in the thread) lands in the same thread.
    await r.bot.send(post(room, 'Bob: more', { replyTo: copy }));
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'reply', conversationId: `${chan.id};messageid=${rootId}`, activityId: rootId });
  });

  it('a reply to a user message inside a thread goes to that thread', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const { room, id: rootId } = await seen(r, chan);
    const { id: inThread } = await seen(r, chan, rootId);
    await r.bot.send(post(room, 'Bob: re', { replyTo: remoteId(inThread) }));
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'reply', conversationId: `${chan.id};messageid=${rootId}`, activityId: rootId });
  });

  it('in a chat, replyToId is set on the conversation', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const { room, id } = await seen(r, chat);
    await r.bot.say(room, 'Sameroom: pong', remoteId(id));
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'reply', conversationId: chat.id, activityId: id, activity: { text: 'Sameroom: pong' } });
  });
});

describe('edit and delete', () => {
  it('edits a copy (PUT) and deletes it (DELETE)', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const { room } = await seen(r, chan);
    const [id] = await r.bot.send(post(room, 'Bob: v1'));
    if (!id) throw new Error('no id');
    await r.bot.edit({ room, id, author: { id: 'u1', name: 'Bob' }, text: 'Bob: _v2_' });
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'update', conversationId: chan.id, activityId: id, activity: { text: 'Bob: <i>v2</i>', textFormat: 'xml' } });
    expect(r.fake.connector.live(chan.id).find((a) => a.id === id)?.text).toBe('Bob: <i>v2</i>');

    await r.bot.delete({ room, id });
    expect(r.fake.connector.calls.at(-1)).toMatchObject({ op: 'delete', conversationId: chan.id, activityId: id });
    expect(r.fake.connector.live(chan.id).map((a) => a.id)).not.toContain(id);
  });

  it('editing or deleting an unknown message is not_found', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    const id = remoteId('1234');
    expect((await rejection(r.bot.edit({ room, id, author: { id: 'u', name: 'U' }, text: 'x' }))).code).toBe('not_found');
    expect((await rejection(r.bot.delete({ room, id }))).code).toBe('not_found');
  });

  it("a user's own message cannot be changed by the bot (403 → forbidden)", async () => {
    const r = await open();
    const { room, id } = await seen(r, r.fake.groupChat());
    expect((await rejection(r.bot.delete({ room, id: remoteId(id) }))).code).toBe('forbidden');
  });
});

describe('connector failures → DeliveryError, with no SDK retries', () => {
  it('429 with Retry-After → rate_limited with the wait, after exactly one request', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    r.fake.connector.failNext('send', { status: 429, retryAfter: 2 });
    const before = r.fake.connector.requests;
    const err = await rejection(r.bot.send(post(room, 'Bob: x')));
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: 2000 });
    expect(err.message).toContain('Throttled');
    expect(r.fake.connector.requests - before).toBe(1);
  });

  it.each([
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [412, 'unavailable'],
    [403, 'forbidden'],
    [400, 'rejected'],
  ] as const)('%i → %s, after exactly one request', async (status, code) => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    r.fake.connector.failNext('send', { status });
    const before = r.fake.connector.requests;
    expect((await rejection(r.bot.send(post(room, 'Bob: x')))).code).toBe(code);
    expect(r.fake.connector.requests - before).toBe(1);
  });

  it('429 on an edit and 503 with Retry-After on a delete carry the wait', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    const [id] = await r.bot.send(post(room, 'Bob: x'));
    if (!id) throw new Error('no id');
    r.fake.connector.failNext('update', { status: 429, retryAfter: 1 });
    expect(await rejection(r.bot.edit({ room, id, author: { id: 'u', name: 'U' }, text: 'y' }))).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    r.fake.connector.failNext('delete', { status: 503, retryAfter: 3 });
    expect(await rejection(r.bot.delete({ room, id }))).toMatchObject({ code: 'unavailable', retryAfterMs: 3000 });
    // Nothing was hidden: the message is still there, and a later try works.
    expect(r.fake.connector.live(room.channel).map((a) => a.id)).toContain(id);
    await r.bot.delete({ room, id });
    expect(r.fake.connector.live(room.channel).map((a) => a.id)).not.toContain(id);
  });

  it('an unreachable connector → unavailable', async () => {
    const r = await open();
    const { room } = await seen(r, r.fake.groupChat());
    await r.fake.connector.close();
    expect((await rejection(r.bot.send(post(room, 'Bob: x')))).code).toBe('unavailable');
  });
});

describe('room names', () => {
  it('a channel is named by the teams API: #channel in team', async () => {
    const r = await open();
    const eng = r.fake.channel('Engineering', { teamName: 'Contoso' });
    const general = r.fake.channel('General', { sibling: eng });
    expect(general.id).toBe(eng.teamId);
    expect(await r.bot.roomName((await seen(r, eng)).room)).toBe('#Engineering in Contoso');
    expect(await r.bot.roomName((await seen(r, general)).room)).toBe('#General in Contoso');
  });

  it('chats are named from what the bot saw; unknown rooms get a generic name', async () => {
    const r = await open();
    expect(await r.bot.roomName((await seen(r, r.fake.personal())).room)).toBe('a Teams chat with Alice Example');
    expect(await r.bot.roomName((await seen(r, r.fake.groupChat())).room)).toBe('a Teams group chat');
    expect(await r.bot.roomName({ platform: 'teams', workspace: 't', channel: 'nope' })).toBe('a Teams conversation');
  });

  it('without the teams API the channel still gets a name', async () => {
    const r = await open();
    const chan = r.fake.channel('Ops');
    const { room } = await seen(r, chan);
    r.fake.connector.conversations.delete(chan.id);
    expect(await r.bot.roomName(room)).toBe('a Teams channel');
  });
});
