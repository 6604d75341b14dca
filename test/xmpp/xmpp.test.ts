/**
 * The XMPP bot against a real, private Prosody: plain @xmpp/client accounts play the humans.
 * If prosody is not installed, beforeAll throws and every test here FAILS (nothing is skipped).
 */
import { xml, type Element } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXmppBot, type XmppBot } from '../../bots/xmpp/index.js';
import type { FileId, Inbound, InboundDelete, InboundEdit, InboundPost, OutboundPost, RemoteMessageId, RoomKey, RoomRef } from '../../src/model.js';
import { escapeText } from '../../src/markup.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { startProsody, type XmppServer } from '../servers/prosody.js';
import { connectXmppUser, type XmppUser } from './xmpp-user.js';

const LOBBY = 'lobby@muc.localhost';
const room: RoomRef = { platform: 'xmpp', channel: LOBBY };
const SID = 'urn:xmpp:sid:0';

let server: XmppServer;
let harness: Harness;
let bot: XmppBot;
let bob: XmppUser;
let carol: XmppUser;

const makeBot = (): XmppBot =>
  createXmppBot({
    service: server.service,
    domain: 'localhost',
    username: 'bridge',
    password: 'bridge-pw',
    nick: 'sameroom',
    mucDomain: 'muc.localhost',
    fileHosts: [`127.0.0.1:${server.httpPort}`],
    reconnect: { baseMs: 100, maxMs: 1000 },
  });

const outbound = (text: string, extra: Partial<OutboundPost> = {}): OutboundPost => ({
  room,
  author: { id: 'U1', name: 'alice' },
  text,
  attachments: [],
  origin: 'web::lobby' as RoomKey,
  idempotencyKey: `k-${Math.random()}`,
  ...extra,
});

const post = (pred: (e: InboundPost) => boolean) => (e: Inbound): e is InboundPost => e.kind === 'post' && pred(e);
const fromBot = (st: Element): boolean => st.attrs.from === `${LOBBY}/sameroom` && st.attrs.type === 'groupchat';
const stanzaIdOf = (st: Element): string | undefined => st.getChildren('stanza-id', SID).find((e) => e.attrs.by === LOBBY)?.attrs.id;
/** The room's echo of one of `user`'s own messages (carries the room's stanza-id). */
const echoOf = (user: XmppUser, id: string): Promise<Element> => user.waitFor((st) => st.attrs.id === id && st.attrs.type === 'groupchat');
const until = async (cond: () => boolean, what: string, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  server = await startProsody({ users: { bridge: 'bridge-pw', bob: 'bob-pw', carol: 'carol-pw' }, uploadLimit: 64 * 1024 });
  harness = createHarness();
  bob = await connectXmppUser(server.service, 'bob', 'bob-pw');
  carol = await connectXmppUser(server.service, 'carol', 'carol-pw');
  await bob.join(LOBBY, 'bob');
  await carol.join(LOBBY, 'carol');
  await bob.say(LOBBY, 'said before the bot came');
  bot = makeBot();
  await bot.start(harness.ctx);
});

afterAll(async () => {
  await bob?.stop();
  await carol?.stop();
  await harness?.close(bot);
  await server?.close();
});

describe('XMPP bot on a real Prosody', () => {
  it('joins a room on a direct invitation (XEP-0249), skips its history and remembers it', async () => {
    await bob.send(xml('message', { to: 'bridge@localhost' }, xml('x', { xmlns: 'jabber:x:conference', jid: LOBBY })));
    await until(() => bot.rooms().includes(LOBBY), 'the bot to join');
    expect(JSON.parse(harness.state.get('rooms') ?? '[]')).toEqual([{ jid: LOBBY }]);
    await bob.say(LOBBY, 'first after join');
    await harness.waitFor(post((e) => e.text === 'first after join'));
    expect(harness.events.some((e) => e.kind === 'post' && e.text.includes('before the bot'))).toBe(false);
  });

  it('joins a room on a mediated invitation (XEP-0045)', async () => {
    const second = 'second@muc.localhost';
    await carol.join(second, 'carol');
    await carol.send(xml('message', { to: second }, xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('invite', { to: 'bridge@localhost' }))));
    await until(() => bot.rooms().includes(second), 'the bot to join the second room');
    expect(JSON.parse(harness.state.get('rooms') ?? '[]')).toContainEqual({ jid: second });
  });

  it('turns a styled room message into an Inbound post with the origin id', async () => {
    const id = await bob.say(LOBBY, 'hi *there* _you_ ~gone~ `x*y` 1*2*3');
    const e = await harness.waitFor(post((ev) => ev.id === id));
    expect(e).toMatchObject({
      kind: 'post',
      room: { platform: 'xmpp', channel: LOBBY },
      author: { id: `${LOBBY}/bob`, name: 'bob' },
      text: 'hi **there** _you_ ~~gone~~ `x*y` 1\\*2\\*3',
    });
    expect(e.eventId).toMatch(new RegExp(`^${LOBBY}/`));
  });

  it('reads /me as an action and an <unstyled/> body literally', async () => {
    await bob.say(LOBBY, '/me waves');
    await harness.waitFor(post((e) => e.text === 'waves' && e.action === true));
    const id = await bob.say(LOBBY, '*literal*', xml('unstyled', { xmlns: 'urn:xmpp:styling:0' }));
    expect(await harness.waitFor(post((e) => e.id === id))).toMatchObject({ text: '\\*literal\\*' });
  });

  it('normalizes a message addressed to the bot into a command', async () => {
    await bob.say(LOBBY, 'sameroom: connect K7QF-M2XD-9P');
    await harness.waitFor(post((e) => e.text === '-sameroom connect K7QF-M2XD-9P'));
  });

  it('posts a copy with styling and the author defused, and drops its own echo', async () => {
    const before = harness.events.length;
    const [id] = await bot.send(outbound('**alice**: hello `code` [site](https://x.test/alice)'));
    const got = await bob.waitFor((st) => fromBot(st) && st.attrs.id === id);
    expect(got.getChildText('body')).toBe('*a\u200blice*: hello `code` site (https://x.test/alice)');
    expect(got.getChild('origin-id', SID)?.attrs.id).toBe(id);
    expect(got.getChild('unstyled', 'urn:xmpp:styling:0')).toBeUndefined();
    const [plain] = await bot.send(outbound(escapeText('alice: 2*3*4 is _not_ styled')));
    const p = await bob.waitFor((st) => fromBot(st) && st.attrs.id === plain);
    expect(p.getChildText('body')).toBe('a\u200blice: 2*3*4 is _not_ styled');
    expect(p.getChild('unstyled', 'urn:xmpp:styling:0')).toBeDefined();
    await bob.say(LOBBY, 'marker after own echo');
    await harness.waitFor(post((e) => e.text === 'marker after own echo'));
    expect(harness.events.slice(before).filter((e) => e.kind === 'post').map((e) => (e as InboundPost).text)).toEqual(['marker after own echo']);
  });

  it('replies both ways with XEP-0461, naming the room stanza-id', async () => {
    const bobsId = await bob.say(LOBBY, 'question?');
    const bobsStanzaId = stanzaIdOf(await echoOf(bob, bobsId));
    expect(bobsStanzaId).toBeTruthy();
    await harness.waitFor(post((e) => e.id === bobsId));
    const [answer] = await bot.send(outbound('alice: answer', { replyTo: bobsId as RemoteMessageId }));
    const got = await bob.waitFor((st) => fromBot(st) && st.attrs.id === answer);
    expect(got.getChild('reply', 'urn:xmpp:reply:0')?.attrs).toMatchObject({ id: bobsStanzaId, to: `${LOBBY}/bob` });

    const botsStanzaId = stanzaIdOf(got);
    const quote = '> alice: answer\n';
    const replyId = await bob.say(
      LOBBY,
      `${quote}thanks`,
      xml('reply', { xmlns: 'urn:xmpp:reply:0', to: `${LOBBY}/sameroom`, id: botsStanzaId }),
      xml('fallback', { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' }, xml('body', { start: 0, end: Array.from(quote).length })),
    );
    const e = await harness.waitFor(post((ev) => ev.id === replyId));
    expect(e).toMatchObject({ text: 'thanks', replyTo: answer });
  });

  it('turns a correction (XEP-0308) into an edit, only from the original author', async () => {
    const id = await bob.say(LOBBY, 'helo');
    await harness.waitFor(post((e) => e.id === id));
    await carol.say(LOBBY, 'carol hijack', xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id }));
    await bob.say(LOBBY, 'hello', xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id }));
    const e = (await harness.waitFor((ev) => ev.kind === 'edit' && ev.id === id)) as InboundEdit;
    expect(e).toMatchObject({ text: 'hello', author: { name: 'bob' } });
    expect(harness.events.filter((ev) => ev.kind === 'edit' && ev.id === id)).toHaveLength(1);
  });

  it('edits a copy with a correction message', async () => {
    const [id] = await bot.send(outbound('alice: typo'));
    await bot.edit({ room, id: id as RemoteMessageId, author: { id: 'U1', name: 'alice' }, text: 'alice: fixed' });
    const fix = await bob.waitFor((st) => fromBot(st) && st.getChild('replace', 'urn:xmpp:message-correct:0')?.attrs.id === id);
    expect(fix.getChildText('body')).toBe('a\u200blice: fixed');
  });

  it('retracts a copy (XEP-0424) and turns a retraction into a delete', async () => {
    const [id] = await bot.send(outbound('alice: oops'));
    const copy = await bob.waitFor((st) => fromBot(st) && st.attrs.id === id);
    await bot.delete({ room, id: id as RemoteMessageId });
    const r = await bob.waitFor((st) => fromBot(st) && !!st.getChild('retract', 'urn:xmpp:message-retract:1'));
    expect(r.getChild('retract', 'urn:xmpp:message-retract:1')?.attrs.id).toBe(stanzaIdOf(copy));
    expect(r.getChild('apply-to', 'urn:xmpp:fasten:0')?.attrs.id).toBe(id);

    const mine = await bob.say(LOBBY, 'regret');
    const sid = stanzaIdOf(await echoOf(bob, mine));
    await harness.waitFor(post((e) => e.id === mine));
    await bob.say(LOBBY, null, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: sid }));
    const del = (await harness.waitFor((e) => e.kind === 'delete' && e.id === mine)) as InboundDelete;
    expect(del.room).toEqual(room);
  });

  it('uploads files through the server (XEP-0363) and re-hosts files members upload', async () => {
    expect(bot.capabilities.maxFileBytes).toBe(64 * 1024);
    const bytes = new TextEncoder().encode('hello file');
    harness.files.set('f1', bytes);
    const big = { id: 'f2' as FileId, name: 'big.bin', mime: 'application/octet-stream', size: 1 << 20, url: 'https://bridge.test/files/f2/big.bin' };
    const small = { id: 'f1' as FileId, name: 'note.txt', mime: 'text/plain', size: bytes.length, url: 'https://bridge.test/files/f1/note.txt' };
    const ids = await bot.send(outbound('alice: files', { attachments: [small, big] }));
    expect(ids).toHaveLength(2);
    const text = await bob.waitFor((st) => fromBot(st) && st.attrs.id === ids[0]);
    expect(text.getChildText('body')).toBe('a\u200blice: files\nbig.bin: https://bridge.test/files/f2/big.bin');
    const file = await bob.waitFor((st) => fromBot(st) && st.attrs.id === ids[1]);
    const url = file.getChild('x', 'jabber:x:oob')?.getChildText('url') ?? '';
    expect(file.getChildText('body')).toBe(url);
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(bytes);

    // bob shares the same file link: a file on the server's own upload host is fetched
    const shared = await bob.say(LOBBY, url, xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, url)));
    const e = await harness.waitFor(post((ev) => ev.id === shared));
    expect(e.text).toBe('');
    expect(e.attachments?.[0]).toMatchObject({ name: 'note.txt', mime: 'text/plain' });
    expect(await e.attachments?.[0]?.fetch?.()).toEqual(bytes);
    // ... while a link elsewhere stays a link (the bridge does not fetch arbitrary URLs)
    const elsewhere = 'http://169.254.169.254/latest/meta-data';
    const ext = await bob.say(LOBBY, elsewhere, xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, elsewhere)));
    const e2 = await harness.waitFor(post((ev) => ev.id === ext));
    expect(e2.attachments).toBeUndefined();
    expect(e2.text).toContain('169.254.169.254');
  });

  it('refuses rooms it is not in and things that are not room JIDs', async () => {
    await expect(bot.send(outbound('x', { room: { platform: 'xmpp', channel: 'other@muc.localhost' } }))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(bot.send(outbound('x', { room: { platform: 'xmpp', channel: 'not a jid' } }))).rejects.toMatchObject({ code: 'rejected' });
  });

  it('reconnects after the server restarts and rejoins its rooms', async () => {
    await bob.stop();
    await carol.stop();
    await server.stop();
    await until(() => bot.rooms().length === 0, 'the bot to notice');
    await expect(bot.send(outbound('while down'))).rejects.toMatchObject({ code: 'unavailable' });
    await server.restart();
    await until(() => bot.rooms().includes(LOBBY), 'the bot to rejoin');
    bob = await connectXmppUser(server.service, 'bob', 'bob-pw');
    await bob.join(LOBBY, 'bob');
    const id = await bob.say(LOBBY, 'back again');
    await harness.waitFor(post((e) => e.id === id));
    const [copy] = await bot.send(outbound('alice: welcome back'));
    await bob.waitFor((st) => fromBot(st) && st.attrs.id === copy);
  });

  it('rejoins the rooms from its state when the bot restarts', async () => {
    await bot.stop();
    bot = makeBot();
    await bot.start(harness.ctx);
    await until(() => bot.rooms().includes(LOBBY), 'the restarted bot to rejoin');
    const id = await bob.say(LOBBY, 'after bot restart');
    await harness.waitFor(post((e) => e.id === id));
  });
});
