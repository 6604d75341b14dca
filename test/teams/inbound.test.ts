/**
 * Inbound: activities shaped like Teams', POSTed by the fake to the bot's /api/messages, read
 * with the Agents SDK's activity schema, to the events the bot ingests.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inboundAttachments } from '../../bots/teams/inbound.js';
import { FakeTeams } from '../fakes/teams/teams.js';
import type { InboundPost } from '../../src/model.js';
import { roomKey } from '../../src/model.js';
import { TENANT_ID } from '../fakes/teams/teams.js';
import { startRig, type TeamsRig } from './setup.js';

let rig: TeamsRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function open(): Promise<TeamsRig> {
  rig = await startRig();
  return rig;
}

function onlyPost(r: TeamsRig): InboundPost {
  expect(r.h.events).toHaveLength(1);
  const [e] = r.h.events;
  if (e?.kind !== 'post') throw new Error(`expected a post, got ${e?.kind}`);
  return e;
}

describe('messages', () => {
  it('a channel message that @mentions the bot: room is the channel of the team, mention stripped', async () => {
    const r = await open();
    const chan = r.fake.channel('Engineering');
    const msg = r.fake.message(chan, r.alice, { text: 'hello everyone', mention: true });
    expect((await r.fake.deliver(msg)).status).toBe(200);
    const e = onlyPost(r);
    expect(e.room).toEqual({ platform: 'teams', workspace: chan.teamId, channel: chan.id });
    expect(e).toMatchObject({ id: msg.id, text: 'hello everyone', author: { id: r.alice.aadObjectId, name: 'Alice Example' } });
    expect(e.replyTo).toBeUndefined();
    expect(e.eventId).toContain(String(msg.id));
    // The conversation reference is kept for proactive posts.
    expect(r.h.state.get(`ref:${roomKey(e.room)}`)).toContain(r.fake.connector.url);
  });

  it('a reply in a channel thread is in the same room, replying to the thread root', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const root = r.fake.message(chan, r.alice, { text: 'root', mention: true });
    await r.fake.deliver(root);
    const reply = r.fake.message(chan, r.alice, { text: 'in thread', mention: true, thread: String(root.id) });
    expect(reply.conversation?.id).toBe(`${chan.id};messageid=${root.id}`);
    await r.fake.deliver(reply);
    const [first, second] = r.h.events as InboundPost[];
    expect(second?.room).toEqual(first?.room);
    expect(second).toMatchObject({ kind: 'post', id: reply.id, text: 'in thread', replyTo: root.id });
  });

  it('channel messages without a mention (RSC ChannelMessage.Read.Group) are ingested as they are', async () => {
    const r = await open();
    const msg = r.fake.message(r.fake.channel(), r.alice, { text: 'just chatting' });
    await r.fake.deliver(msg);
    expect(onlyPost(r).text).toBe('just chatting');
  });

  it('a group chat is a room of the tenant', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    await r.fake.deliver(r.fake.message(chat, r.alice, { text: 'group hi', mention: true }));
    expect(onlyPost(r)).toMatchObject({ room: { platform: 'teams', workspace: TENANT_ID, channel: chat.id }, text: 'group hi' });
  });

  it('a 1:1 chat is a room of the tenant', async () => {
    const r = await open();
    const dm = r.fake.personal();
    await r.fake.deliver(r.fake.message(dm, r.alice, { text: 'just us' }));
    expect(onlyPost(r)).toMatchObject({ room: { platform: 'teams', workspace: TENANT_ID, channel: dm.id }, text: 'just us' });
  });

  it('rich text comes from the text/html attachment, converted to canonical markup', async () => {
    const r = await open();
    const msg = r.fake.message(r.fake.channel(), r.alice, {
      text: 'Deploy v2 to CI now *really*',
      html: 'Deploy <b>v2</b> to <a href="https://ci.example.com/">CI</a> <i>now</i> *really* &lt;3',
      mention: true,
    });
    await r.fake.deliver(msg);
    expect(onlyPost(r).text).toBe('Deploy **v2** to [CI](https://ci.example.com/) _now_ \\*really\\* <3');
  });

  it('text with textFormat xml is read as HTML', async () => {
    const r = await open();
    await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: '<p><strike>old</strike> new</p>', textFormat: 'xml' }));
    expect(onlyPost(r).text).toBe('~~old~~ new');
  });

  it('mentions of other people stay as @name; plain text is escaped', async () => {
    const r = await open();
    await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: 'ask <at>Jane Doe</at> about *stars*', mention: true }));
    expect(onlyPost(r).text).toBe('ask @Jane Doe about \\*stars\\*');
  });
});

describe('attachments', () => {
  it('a shared file (file download info) is fetched from its pre-authenticated URL, without a token', async () => {
    const r = await open();
    const bytes = new TextEncoder().encode('quarterly numbers');
    const file = r.fake.fileAttachment('report.pdf', bytes);
    await r.fake.deliver(r.fake.message(r.fake.channel(), r.alice, { text: 'see file', html: 'see file', mention: true, attachments: [file] }));
    const e = onlyPost(r);
    expect(e.text).toBe('see file');
    expect(e.attachments).toHaveLength(1);
    const [att] = e.attachments ?? [];
    expect(att).toMatchObject({ name: 'report.pdf', mime: 'application/pdf' });
    expect(await att?.fetch?.()).toEqual(bytes);
  });

  it('a pasted image (hosted by the connector) is fetched from its contentUrl', async () => {
    const r = await open();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await r.fake.deliver(r.fake.message(r.fake.personal(), r.alice, { text: '', attachments: [r.fake.imageAttachment(png)] }));
    const [att] = onlyPost(r).attachments ?? [];
    expect(att).toMatchObject({ mime: 'image/png', name: 'image.png' });
    expect(await att?.fetch?.()).toEqual(png);
  });

  it("the bot's token goes only to the connector that sent the activity, never to file URLs", async () => {
    const fake = await FakeTeams.start({ appId: 'app' }); // its hosted images require a bearer token
    try {
      const png = new Uint8Array([1, 2, 3]);
      const token = vi.fn(async () => 'bot-token');
      const image = fake.imageAttachment(png);
      const file = fake.fileAttachment('a.txt', new Uint8Array([4]));
      const [img, doc] = inboundAttachments({ serviceUrl: fake.connector.url, attachments: [image, file] }, token);
      expect(await img?.fetch?.()).toEqual(png);
      // The file URL is pre-authenticated: the fake refuses requests that carry a token.
      expect(await doc?.fetch?.()).toEqual(new Uint8Array([4]));
      // An image URL on another origin than the activity's serviceUrl gets no token (and fails here).
      const [foreign] = inboundAttachments({ serviceUrl: 'https://smba.trafficmanager.net/teams/', attachments: [image] }, token);
      await expect(foreign?.fetch?.()).rejects.toThrow(/HTTP 401/);
      expect(token).toHaveBeenCalledTimes(1);
    } finally {
      await fake.close();
    }
  });

  it('cards and the text/html body are not files', async () => {
    const r = await open();
    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } };
    await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: 'x', html: 'x', attachments: [card] }));
    expect(onlyPost(r).attachments).toBeUndefined();
  });
});

describe('edits and deletes', () => {
  it('messageUpdate (editMessage) → edit of the same message in the same room', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const msg = r.fake.message(chan, r.alice, { text: 'teh typo', mention: true });
    await r.fake.deliver(msg);
    await r.fake.deliver(r.fake.edit(chan, msg, '<at>Sameroom</at> the typo'));
    const [post, edit] = r.h.events;
    expect(edit).toMatchObject({ kind: 'edit', id: msg.id, text: 'the typo', room: post?.room, author: { name: 'Alice Example' } });
    expect(edit?.eventId).not.toBe(post?.eventId);
  });

  it('two edits of one message are two events', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const msg = r.fake.message(chat, r.alice, { text: 'v1' });
    await r.fake.deliver(msg);
    const first = r.fake.edit(chat, msg, 'v2');
    await r.fake.deliver(first);
    await r.fake.deliver({ ...r.fake.edit(chat, msg, 'v3'), timestamp: new Date(Date.now() + 1000) });
    const edits = r.h.events.filter((e) => e.kind === 'edit');
    expect(edits.map((e) => (e.kind === 'edit' ? e.text : ''))).toEqual(['v2', 'v3']);
    expect(new Set(edits.map((e) => e.eventId)).size).toBe(2);
  });

  it('an edit announced as conversationUpdate with eventType editMessage is an edit too', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const msg = r.fake.message(chat, r.alice, { text: 'v1' });
    await r.fake.deliver({ ...r.fake.edit(chat, msg, 'v2'), type: 'conversationUpdate' });
    expect(r.h.events).toMatchObject([{ kind: 'edit', id: msg.id, text: 'v2' }]);
  });

  it('a delete announced as messageReaction with eventType softDeleteMessage is a delete too', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const msg = r.fake.message(chat, r.alice, { text: 'v1' });
    await r.fake.deliver({ ...r.fake.remove(chat, msg), type: 'messageReaction' });
    expect(r.h.events).toMatchObject([{ kind: 'delete', id: msg.id }]);
  });

  it('messageDelete (softDeleteMessage) → delete; undelete is ignored', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const msg = r.fake.message(chan, r.alice, { text: 'oops', mention: true });
    await r.fake.deliver(msg);
    await r.fake.deliver(r.fake.remove(chan, msg));
    const undelete = r.fake.edit(chan, msg, 'oops');
    await r.fake.deliver({ ...undelete, channelData: { ...undelete.channelData, eventType: 'undeleteMessage' } });
    expect(r.h.events.map((e) => e.kind)).toEqual(['post', 'delete']);
    expect(r.h.events[1]).toMatchObject({ id: msg.id, room: r.h.events[0]?.room });
  });
});

describe('self and echoes', () => {
  it('drops activities sent by the bot itself', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const msg = r.fake.message(chan, r.fake.bot, { text: 'I am the bot' });
    expect((await r.fake.deliver(msg)).status).toBe(200);
    expect(r.h.events).toEqual([]);
  });

  it('drops echoes of messages the bot posted', async () => {
    const r = await open();
    const chat = r.fake.groupChat();
    const first = r.fake.message(chat, r.alice, { text: 'hi' });
    await r.fake.deliver(first);
    const room = r.h.events[0]?.room;
    if (!room) throw new Error('no room');
    const [copyId] = await r.bot.say(room, 'a copy');
    await r.fake.deliver({ ...r.fake.message(chat, r.alice, { text: 'a copy' }), id: copyId });
    await r.fake.deliver({ ...r.fake.edit(chat, { ...first, id: copyId }, 'edited copy') });
    expect(r.h.events).toHaveLength(1);
  });

  it('a conversationUpdate (app installed) is remembered but not ingested', async () => {
    const r = await open();
    const chan = r.fake.channel();
    const install = { ...r.fake.message(chan, r.alice), type: 'conversationUpdate', text: undefined, membersAdded: [r.fake.bot] };
    expect((await r.fake.deliver(install)).status).toBe(200);
    expect(r.h.events).toEqual([]);
    const room = { platform: 'teams', workspace: chan.teamId, channel: chan.id };
    expect(await r.bot.say(room, 'installed')).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('when the core cannot take the event, Teams gets a 500 (so it redelivers)', async () => {
    const r = await open();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    r.h.ctx.ingest = async () => {
      throw new Error('store down');
    };
    try {
      expect((await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: 'x' }))).status).toBe(500);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a body that is no activity gets 400 and nothing is ingested', async () => {
    const r = await open();
    const noType = { ...r.fake.message(r.fake.groupChat(), r.alice, { text: 'x' }), type: undefined };
    expect((await r.fake.deliver(noType)).status).toBe(400);
    expect((await r.fake.deliver({ type: 'message', text: 'no conversation' })).status).toBe(400);
    expect(r.h.events).toEqual([]);
  });

  it('empty strings Teams sends (text of an image-only message, conversation name) are accepted', async () => {
    const r = await open();
    const chat = r.fake.personal();
    const msg = r.fake.message(chat, r.alice, { text: '', attachments: [r.fake.imageAttachment(new Uint8Array([1, 2, 3]))] });
    expect(msg).toMatchObject({ text: '', conversation: { name: '' } });
    expect((await r.fake.deliver(msg)).status).toBe(200);
    expect(onlyPost(r).attachments).toHaveLength(1);
  });

  it('after stop() the endpoint answers 503 and ingests nothing', async () => {
    const r = await open();
    await r.bot.stop();
    expect((await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: 'late' }))).status).toBe(503);
    expect(r.h.events).toEqual([]);
  });
});

describe('commands', () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['@Sameroom open', 'open', true, '-sameroom open'],
    ['@Sameroom connect CODE', 'connect K7QF-M2XD-9P', true, '-sameroom connect K7QF-M2XD-9P'],
    ['@Sameroom sameroom list', 'sameroom list', true, '-sameroom list'],
    ['@Sameroom -sameroom help', '-sameroom help', true, '-sameroom help'],
    ['a bare @Sameroom asks for help', '', true, '-sameroom help'],
    ['typed -sameroom without a mention', '-sameroom portal', false, '-sameroom portal'],
    ['@Sameroom with other words is a message', 'hello there', true, 'hello there'],
    ['a verb without a mention is a message', 'open the door', false, 'open the door'],
  ];
  it.each(cases)('%s', async (_name, text, mention, expected) => {
    const r = await open();
    await r.fake.deliver(r.fake.message(r.fake.channel(), r.alice, { text, mention }));
    expect(onlyPost(r).text).toBe(expected);
  });

  it('a mention that is not at the start is no command', async () => {
    const r = await open();
    await r.fake.deliver(r.fake.message(r.fake.groupChat(), r.alice, { text: 'please <at>Sameroom</at> open' }));
    expect(onlyPost(r).text).toBe('please open');
  });

  it('the command form also works from the rich text body', async () => {
    const r = await open();
    await r.fake.deliver(r.fake.message(r.fake.channel(), r.alice, { text: 'connect K7QF', html: 'connect <b>K7QF</b>', mention: true }));
    expect(onlyPost(r).text).toBe('-sameroom connect K7QF');
  });
});
