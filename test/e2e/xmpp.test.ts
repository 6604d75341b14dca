/**
 * A tube between an XMPP multi-user chat room (the real bot on a real, private Prosody; a plain
 * @xmpp/client account plays the human) and a test-platform room, both ways, through the real
 * bridge on Redis. If prosody is not installed, startProsody throws and the test FAILS.
 */
import { xml, type Element } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import { createXmppBot } from '../../bots/xmpp/index.js';
import { roomKey } from '../../src/model.js';
import { startProsody } from '../servers/prosody.js';
import { connectXmppUser, type XmppUser } from '../xmpp/xmpp-user.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const LOBBY = 'lobby@muc.localhost';
const SID = 'urn:xmpp:sid:0';
const CORRECT = 'urn:xmpp:message-correct:0';
const REPLY = 'urn:xmpp:reply:0';
const RETRACT = 'urn:xmpp:message-retract:1';

const fromBot = (st: Element): boolean => st.attrs.from === `${LOBBY}/sameroom` && st.attrs.type === 'groupchat';
const stanzaIdOf = (st: Element): string | undefined => st.getChildren('stanza-id', SID).find((e) => e.attrs.by === LOBBY)?.attrs.id;

const rig = useRig();

/** A private Prosody with the accounts bridge and bob, and the real bot on it. */
async function prosody(r: Rig) {
  const srv = r.own(await startProsody({ users: { bridge: 'bridge-pw', bob: 'bob-pw' } }));
  const xmpp = createXmppBot({
    service: srv.service,
    domain: srv.domain,
    username: 'bridge',
    password: 'bridge-pw',
    nick: 'sameroom',
    mucDomain: srv.mucDomain,
    reconnect: { baseMs: 100, maxMs: 1000 },
  });
  /** Bob connects (and stops after the test) and joins the room. */
  const bobJoins = async (): Promise<XmppUser> => {
    const bob = await connectXmppUser(srv.service, 'bob', 'bob-pw');
    r.defer(() => bob.stop());
    await bob.join(LOBBY, 'bob');
    return bob;
  };
  /** Bob brings the bot in the way people do it: a direct invitation (XEP-0249). */
  const bobInvites = async (bob: XmppUser): Promise<void> => {
    await bob.send(xml('message', { to: 'bridge@localhost' }, xml('x', { xmlns: 'jabber:x:conference', jid: LOBBY })));
    await waitFor(() => xmpp.rooms().includes(LOBBY), 10_000, 'the bot to join the room');
  };
  /** The bodies of what the bot said in the room, as `u` saw them. */
  const bodies = (u: XmppUser): string[] => u.seen.filter(fromBot).map((st) => st.getChildText('body') ?? '');
  return { srv, xmpp, bobJoins, bobInvites, bodies };
}

describe('XMPP ↔ another room through the bridge', () => {
  it('pairs from the room, relays posts, corrections and replies both ways, ignores its own echoes, survives a server restart', async () => {
    const { srv, xmpp, bobJoins, bobInvites, bodies } = await prosody(rig);
    const lobby = await rig.lobby(xmpp, { store: 'redis' });
    const { tb, other } = lobby;
    let bob = await bobJoins();
    await bobInvites(bob);

    // Pairing: `-sameroom open` typed in the room, the code pasted in the lobby.
    const { notice } = await lobby.pair({ platform: 'XMPP', open: () => bob.say(LOBBY, '-sameroom open'), answers: () => bodies(bob), who: 'Alice' });
    expect(notice).toMatch(/^bridge-bot: This room is now linked to lobby@muc\.localhost \(XMPP\)/);
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
    await lobby.marker((text) => bob.say(LOBBY, text));
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
    bob = await bobJoins();

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
  it('pairs a web room with an XMPP room and relays posts, corrections and retractions both ways', async () => {
    const { xmpp, bobJoins, bobInvites, bodies: seenBy } = await prosody(rig);
    const tb = await rig.web(xmpp);
    const bob = await bobJoins();
    await bobInvites(bob);
    const bodies = (): string[] => seenBy(bob);

    // Pairing: `-sameroom open` typed in the web room, the code typed in the XMPP room.
    const sam = await rig.webRoom(tb, {
      platform: 'XMPP',
      connect: (code) => bob.say(LOBBY, `-sameroom connect ${code}`),
      answers: bodies,
      notice: 'now linked to lobby@muc.localhost (XMPP)',
    });

    // Web → XMPP: from the bot with the (defused) author name in front, canonical made message styling.
    const hello = await sam.post('hello **XMPP** _people_');
    const copy = await bob.waitFor((st) => fromBot(st) && (st.getChildText('body') ?? '').includes('hello *XMPP*'));
    expect(copy.getChildText('body')).toBe(`*S${ZWSP}am*: hello *XMPP* _people_`);
    const copyId = copy.attrs.id as string;

    // XMPP → web: shown under the occupant nick, message styling made canonical.
    const hi = await bob.say(LOBBY, 'hi *web* ~folks~');
    const shown = await copyOnWeb(sam, 'the copy of bob’s message');
    expect(shown).toMatchObject({ author: { name: 'bob' }, text: 'hi **web** ~~folks~~' });

    // Edits both ways: a web edit is a correction (XEP-0308) of the copy; a correction edits the web copy.
    await editOnWeb(sam, hello, 'hello ~~XMPP~~ again');
    const fix = await bob.waitFor((st) => fromBot(st) && st.getChild('replace', CORRECT)?.attrs.id === copyId);
    expect(fix.getChildText('body')).toBe(`*S${ZWSP}am*: hello ~XMPP~ again`);
    await bob.say(LOBBY, 'hi *web*, corrected', xml('replace', { xmlns: CORRECT, id: hi }));
    const edited = await updateOnWeb(sam, shown);
    expect(edited.message).toMatchObject({ text: 'hi **web**, corrected', edited: true, author: { name: 'bob' } });

    // Deletes both ways: a web delete retracts the copy (XEP-0424); bob's retraction removes the web copy.
    await deleteOnWeb(sam, hello);
    const retraction = await bob.waitFor((st) => fromBot(st) && !!st.getChild('retract', RETRACT));
    expect(retraction.getChild('retract', RETRACT)?.attrs.id).toBe(stanzaIdOf(copy));
    const hisStanzaId = stanzaIdOf(await bob.waitFor((st) => st.attrs.id === hi && st.attrs.type === 'groupchat'));
    expect(hisStanzaId).toBeTruthy();
    await bob.say(LOBBY, null, xml('retract', { xmlns: RETRACT, id: hisStanzaId }));
    await deletionOnWeb(sam, shown);

    // The bot's own messages (answers, copy, correction, retraction) came back from the room: none reached the web room.
    await tb.settle();
    expect(copiesSent(sam).map((m) => m.author.name)).toEqual(['bob']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  }, 30_000);
});
