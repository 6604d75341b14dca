/**
 * A tube between an XMPP multi-user chat room (the real bot on a real, private Prosody; a plain
 * @xmpp/client account plays the human) and a test-platform room, both ways, through the real
 * bridge on Redis. If prosody is not installed, startProsody throws and the test FAILS.
 */
import { xml, type Element } from '@xmpp/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createXmppBot } from '../../bots/xmpp/index.js';
import { toPlain } from '../../src/markup.js';
import { roomKey } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { startProsody, type XmppServer } from '../servers/prosody.js';
import { connectXmppUser, type XmppUser } from '../xmpp/xmpp-user.js';
import { waitFor } from './waitfor.js';

const LOBBY = 'lobby@muc.localhost';
const ZWSP = '\u200b';
const SID = 'urn:xmpp:sid:0';
const CORRECT = 'urn:xmpp:message-correct:0';
const REPLY = 'urn:xmpp:reply:0';
const RETRACT = 'urn:xmpp:message-retract:1';

const fromBot = (st: Element): boolean => st.attrs.from === `${LOBBY}/sameroom` && st.attrs.type === 'groupchat';
const stanzaIdOf = (st: Element): string | undefined => st.getChildren('stanza-id', SID).find((e) => e.attrs.by === LOBBY)?.attrs.id;

describe('XMPP ↔ another room through the bridge', () => {
  let server: XmppServer | undefined;
  let tb: TestBridge | undefined;
  const users: XmppUser[] = [];
  afterEach(async () => {
    for (const u of users.splice(0)) await u.stop();
    await tb?.stop();
    await server?.close();
    tb = undefined;
    server = undefined;
  });

  it('pairs from the room, relays posts, corrections and replies both ways, ignores its own echoes, survives a server restart', async () => {
    server = await startProsody({ users: { bridge: 'bridge-pw', bob: 'bob-pw' } });
    const srv = server;
    const xmpp = createXmppBot({
      service: srv.service,
      domain: srv.domain,
      username: 'bridge',
      password: 'bridge-pw',
      nick: 'sameroom',
      mucDomain: srv.mucDomain,
      reconnect: { baseMs: 100, maxMs: 1000 },
    });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'redis', bots: [xmpp, other] });

    let bob = await connectXmppUser(srv.service, 'bob', 'bob-pw');
    users.push(bob);
    await bob.join(LOBBY, 'bob');
    // The bot is brought in the way people do it: a direct invitation (XEP-0249).
    await bob.send(xml('message', { to: 'bridge@localhost' }, xml('x', { xmlns: 'jabber:x:conference', jid: LOBBY })));
    await waitFor(() => xmpp.rooms().includes(LOBBY), 10_000, 'the bot to join the room');
    const bodies = (u: XmppUser): string[] => u.seen.filter(fromBot).map((st) => st.getChildText('body') ?? '');

    // Pairing: `-sameroom open` typed in the room, the code pasted in the lobby.
    await bob.say(LOBBY, '-sameroom open');
    await waitFor(() => bodies(bob).some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Alice', `-sameroom connect ${codeIn(bodies(bob).at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/^bridge-bot: This room is now linked to lobby@muc\.localhost \(XMPP\)/);
    await waitFor(() => bodies(bob).some((t) => t.includes('now linked to #lobby (alpha)')), 10_000, 'linked notice in XMPP');
    const lobbyKey = roomKey(other.ref('lobby'));
    const tubes = await tb.bridge.tubes.of(lobbyKey);
    expect(tubes.map((t) => [t.a, t.b].sort())).toEqual([[lobbyKey, roomKey({ platform: 'xmpp', channel: LOBBY })].sort()]);
    const tube = tubes[0]?.id;

    // XMPP → lobby: under the occupant nick, message styling made canonical.
    const hello = await bob.say(LOBBY, 'hello *world* _you_ ~gone~ `x*y` 1*2*3');
    await waitFor(() => other.room('lobby').some((m) => m.as === 'bob'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'bob', text: 'hello **world** _you_ ~~gone~~ `x*y` 1\\*2\\*3' });

    // A correction (XEP-0308) in XMPP edits the copy in the lobby.
    await bob.say(LOBBY, 'hello *again*', xml('replace', { xmlns: CORRECT, id: hello }));
    await waitFor(() => copyInLobby.text === 'hello **again**', 10_000, 'edit in lobby');

    // Lobby → XMPP: from the bot with the author's name in front, defused with a zero-width space,
    // canonical made message styling, as a reply (XEP-0461) naming the room's stanza-id of bob's message.
    const bobsStanzaId = stanzaIdOf(await bob.waitFor((st) => st.attrs.id === hello && st.attrs.type === 'groupchat'));
    expect(bobsStanzaId).toBeTruthy();
    const mine = await other.says('lobby', 'Alice', 'hi **XMPP** _there_ says Alice', { replyTo: copyInLobby.id });
    await tb.settle();
    const copy = await bob.waitFor((st) => fromBot(st) && (st.getChildText('body') ?? '').includes('hi *XMPP*'));
    expect(copy.getChildText('body')).toBe(`*A${ZWSP}lice*: hi *XMPP* _there_ says A${ZWSP}lice`);
    expect(copy.getChild('reply', REPLY)?.attrs).toMatchObject({ id: bobsStanzaId, to: `${LOBBY}/bob` });
    const copyId = copy.attrs.id as string;

    // An edit in the lobby is a correction of the copy in XMPP.
    await other.edits('lobby', mine, 'hi ~~XMPP~~ again');
    await tb.settle();
    const fix = await bob.waitFor((st) => fromBot(st) && st.getChild('replace', CORRECT)?.attrs.id === copyId);
    expect(fix.getChildText('body')).toBe(`*A${ZWSP}lice*: hi ~XMPP~ again`);

    // A reply in XMPP to the bot's copy lands in the lobby as a reply to Alice's message.
    const quote = `> A${ZWSP}lice: hi XMPP again\n`;
    await bob.say(
      LOBBY,
      `${quote}thanks`,
      xml('reply', { xmlns: REPLY, to: `${LOBBY}/sameroom`, id: stanzaIdOf(copy) }),
      xml('fallback', { xmlns: 'urn:xmpp:fallback:0', for: REPLY }, xml('body', { start: 0, end: Array.from(quote).length })),
    );
    await waitFor(() => other.room('lobby').some((m) => m.text === 'thanks'), 10_000, 'reply in lobby');
    expect(other.room('lobby').at(-1)).toMatchObject({ as: 'bob', text: 'thanks', replyTo: mine });

    // The bot's own messages (answers, notices, copies, corrections) came back from the room: none was relayed.
    await bob.say(LOBBY, 'marker');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), 10_000, 'marker in lobby');
    await tb.settle();
    expect(other.sendLog.map((p) => [p.author.name, p.text])).toEqual([
      ['bob', 'hello **world** _you_ ~~gone~~ `x*y` 1\\*2\\*3'],
      ['bob', 'thanks'],
      ['bob', 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Alice', 'bridge-bot', 'bob', 'Alice', 'bob', 'bob']);

    // The server goes away and comes back: the bot reconnects and rejoins; the same tube carries on.
    await bob.stop();
    await srv.stop();
    await waitFor(() => xmpp.rooms().length === 0, 10_000, 'the bot to notice the server is gone');
    await srv.restart();
    await waitFor(() => xmpp.rooms().includes(LOBBY), 15_000, 'the bot to rejoin the room');
    bob = await connectXmppUser(srv.service, 'bob', 'bob-pw');
    users.push(bob);
    await bob.join(LOBBY, 'bob');

    await bob.say(LOBBY, 'back *again*');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'back **again**'), 10_000, 'post after restart in lobby');
    expect(other.room('lobby').at(-1)).toMatchObject({ as: 'bob', text: 'back **again**' });
    await other.says('lobby', 'Alice', 'welcome _back_');
    await tb.settle();
    const welcome = await bob.waitFor((st) => fromBot(st) && (st.getChildText('body') ?? '').includes('welcome'));
    expect(welcome.getChildText('body')).toBe(`*A${ZWSP}lice*: welcome _back_`);
    expect(other.sendLog.map((p) => p.text).at(-1)).toBe('back **again**');
    expect(other.sendLog).toHaveLength(4);
    expect((await tb.bridge.tubes.of(lobbyKey)).map((t) => t.id)).toEqual([tube]);
  }, 60_000);
});

describe('XMPP ↔ a web room through the bridge', () => {
  let server: XmppServer | undefined;
  let kit: WebKit | undefined;
  const users: XmppUser[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const u of users.splice(0)) await u.stop();
    await kit?.stop();
    await server?.close();
    kit = undefined;
    server = undefined;
  });

  it('pairs a web room with an XMPP room and relays posts, corrections and retractions both ways', async () => {
    server = await startProsody({ users: { bridge: 'bridge-pw', bob: 'bob-pw' } });
    const srv = server;
    const xmpp = createXmppBot({
      service: srv.service,
      domain: srv.domain,
      username: 'bridge',
      password: 'bridge-pw',
      nick: 'sameroom',
      mucDomain: srv.mucDomain,
      reconnect: { baseMs: 100, maxMs: 1000 },
    });
    kit = await startWeb({ bots: [xmpp] });
    const { tb } = kit;

    const bob = await connectXmppUser(srv.service, 'bob', 'bob-pw');
    users.push(bob);
    await bob.join(LOBBY, 'bob');
    await bob.send(xml('message', { to: 'bridge@localhost' }, xml('x', { xmlns: 'jabber:x:conference', jid: LOBBY })));
    await waitFor(() => xmpp.rooms().includes(LOBBY), 10_000, 'the bot to join the room');
    const bodies = (): string[] => bob.seen.filter(fromBot).map((st) => st.getChildText('body') ?? '');

    // Pairing: `-sameroom open` typed in the web room, the code typed in the XMPP room.
    const id = await createRoom(tb.url, 'Customers');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    await bob.say(LOBBY, `-sameroom connect ${code}`);
    await waitFor(() => bodies().some((t) => t.includes('now linked to Customers (Web)')), 10_000, 'linked answer in XMPP');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to lobby@muc.localhost (XMPP)')), 10_000);

    // Web → XMPP: from the bot with the (defused) author name in front, canonical made message styling.
    const hello = await sam.post('hello **XMPP** _people_');
    const copy = await bob.waitFor((st) => fromBot(st) && (st.getChildText('body') ?? '').includes('hello *XMPP*'));
    expect(copy.getChildText('body')).toBe(`*S${ZWSP}am*: hello *XMPP* _people_`);
    const copyId = copy.attrs.id as string;

    // XMPP → web: shown under the occupant nick, message styling made canonical.
    const hi = await bob.say(LOBBY, 'hi *web* ~folks~');
    const shown = await until('the copy of bob’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'bob' }, text: 'hi **web** ~~folks~~' });

    // Edits both ways: a web edit is a correction (XEP-0308) of the copy; a correction edits the web copy.
    sam.send({ type: 'edit', id: hello.id, text: 'hello ~~XMPP~~ again' });
    await sam.next('update', (m) => m.message.id === hello.id);
    const fix = await bob.waitFor((st) => fromBot(st) && st.getChild('replace', CORRECT)?.attrs.id === copyId);
    expect(fix.getChildText('body')).toBe(`*S${ZWSP}am*: hello ~XMPP~ again`);
    await bob.say(LOBBY, 'hi *web*, corrected', xml('replace', { xmlns: CORRECT, id: hi }));
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(edited.message).toMatchObject({ text: 'hi **web**, corrected', edited: true, author: { name: 'bob' } });

    // Deletes both ways: a web delete retracts the copy (XEP-0424); bob's retraction removes the web copy.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    const retraction = await bob.waitFor((st) => fromBot(st) && !!st.getChild('retract', RETRACT));
    expect(retraction.getChild('retract', RETRACT)?.attrs.id).toBe(stanzaIdOf(copy));
    const hisStanzaId = stanzaIdOf(await bob.waitFor((st) => st.attrs.id === hi && st.attrs.type === 'groupchat'));
    expect(hisStanzaId).toBeTruthy();
    await bob.say(LOBBY, null, xml('retract', { xmlns: RETRACT, id: hisStanzaId }));
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    // The bot's own messages (answers, copy, correction, retraction) came back from the room: none reached the web room.
    await tb.settle();
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []))).toEqual(['bob']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  }, 30_000);
});
