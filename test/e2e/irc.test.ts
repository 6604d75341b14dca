/**
 * A tube between an IRC channel (the real bot on a real, private ngIRCd; an irc-framework
 * client plays the human) and a test-platform room, both ways, through the real bridge.
 * If ngircd is not installed, startNgircd throws and the test FAILS (nothing is skipped).
 */
import { describe, expect, it } from 'vitest';
import { createIrcBot } from '../../bots/irc/index.js';
import { roomKey } from '../../src/model.js';
import { connectUser, type IrcUser } from '../irc/irc-user.js';
import { startNgircd } from '../servers/ngircd.js';
import { copiesSent, copyOnWeb, deleteOnWeb, editOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const WS = '127.0.0.1';
const [B, I, S, M] = ['\x02', '\x1d', '\x1e', '\x11'];

const rig = useRig();

/** A private ngIRCd, and the real bot on it. */
async function ngircd(r: Rig) {
  const srv = r.own(await startNgircd());
  const irc = createIrcBot({
    networks: [{ server: WS, port: srv.port, tls: false, nick: 'sameroom' }],
    pace: { burst: 10, intervalMs: 50 },
    reconnect: { baseMs: 100, maxMs: 1000 },
  });
  /** `nick` connects (and quits after the test). */
  const connect = async (nick: string): Promise<IrcUser> => {
    const u = await connectUser(srv.port, nick);
    r.defer(() => u.quit());
    return u;
  };
  /** Alice joins #Lobby and brings the bot in the way people do it: an invitation. */
  const aliceInvites = async (): Promise<IrcUser> => {
    const alice = await connect('alice');
    await alice.join('#Lobby');
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    alice.client.invite('#Lobby', 'sameroom');
    await joined;
    await waitFor(() => irc.channels(WS).includes('#lobby'), 10_000, 'the bot to be in #lobby');
    return alice;
  };
  /** What the bot said in #lobby, as `u` saw it. */
  const fromBot = (u: IrcUser): string[] => u.seen.filter((s) => s.nick === 'sameroom' && s.target.toLowerCase() === '#lobby').map((s) => s.message);
  return { srv, irc, connect, aliceInvites, fromBot };
}

describe('IRC ↔ another room through the bridge', () => {
  it('pairs from the channel, relays posts with formatting both ways, defuses nicks, ignores its own lines, survives a server restart', async () => {
    const { srv, irc, connect, aliceInvites, fromBot } = await ngircd(rig);
    const lobby = await rig.lobby(irc);
    const { tb, other } = lobby;
    let alice = await aliceInvites();

    // Pairing: `-sameroom open` typed in the channel, the code pasted in the lobby.
    const { answer, notice } = await lobby.pair({ platform: 'IRC', open: () => alice.client.say('#Lobby', '-sameroom open'), answers: () => fromBot(alice) });
    expect(answer).toMatch(new RegExp(`^${M}-sameroom connect [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}${M}$`));
    expect(notice).toMatch(/^bridge-bot: This room is now linked to #lobby on 127\.0\.0\.1 \(IRC\)/);
    const tubes = await tb.bridge.tubes.of(roomKey(other.ref('lobby')));
    expect(tubes.map((t) => [t.a, t.b].sort())).toEqual([[roomKey(other.ref('lobby')), roomKey({ platform: 'irc', workspace: WS, channel: '#lobby' })].sort()]);
    const tube = tubes[0]?.id;

    // IRC → lobby: under the nick, IRC formatting codes made canonical (colours dropped).
    alice.client.say('#Lobby', `hello ${B}bold${B} ${I}it${I} ${S}gone${S} ${M}x*y${M} \x0304red\x03 *x*`);
    await waitFor(() => other.room('lobby').some((m) => m.as === 'alice'), 10_000, 'copy in lobby');
    expect(other.room('lobby').at(-1)).toMatchObject({ as: 'alice', text: 'hello **bold** _it_ ~~gone~~ `x*y` red \\*x\\*' });

    // Lobby → IRC: from the bot with the author's name in front, defused with a zero-width space
    // (also where it appears in the text), canonical markup made IRC formatting.
    const seenBefore = fromBot(alice).length;
    await other.says('lobby', 'Bob', 'hi **there** _you_ ~~gone~~ `code` [docs](https://x.test/Bob) says Bob');
    await tb.settle();
    await waitFor(() => fromBot(alice).length > seenBefore, 10_000, 'copy in IRC');
    expect(fromBot(alice).slice(seenBefore)).toEqual([
      `${B}B${ZWSP}ob${B}: hi ${B}there${B} ${I}you${I} ${S}gone${S} ${M}code${M} docs (https://x.test/Bob) says B${ZWSP}ob`,
    ]);

    // The bot's own lines (answers, notices, copies) never came back as posts.
    await lobby.marker((text) => alice.client.say('#Lobby', text));
    expect(other.sendLog.map((p) => [p.author.name, p.text])).toEqual([
      ['alice', 'hello **bold** _it_ ~~gone~~ `x*y` red \\*x\\*'],
      ['alice', 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'alice', 'Bob', 'alice']);

    // The server goes away and comes back: the bot reconnects and rejoins; the same tube carries on.
    await alice.quit();
    await srv.stop();
    await waitFor(() => irc.channels(WS).length === 0, 10_000, 'the bot to notice the server is gone');
    await srv.restart();
    alice = await connect('alice');
    await alice.join('#lobby');
    await waitFor(() => irc.channels(WS).includes('#lobby'), 15_000, 'the bot to rejoin #lobby');

    alice.client.say('#lobby', `back ${B}again${B}`);
    await waitFor(() => other.room('lobby').some((m) => m.text === 'back **again**'), 10_000, 'post after restart in lobby');
    expect(other.room('lobby').at(-1)).toMatchObject({ as: 'alice', text: 'back **again**' });
    await other.says('lobby', 'Bob', 'welcome _back_');
    await tb.settle();
    await waitFor(() => fromBot(alice).some((t) => t.includes('welcome')), 10_000, 'post after restart in IRC');
    expect(fromBot(alice).at(-1)).toBe(`${B}B${ZWSP}ob${B}: welcome ${I}back${I}`);
    expect(other.sendLog.map((p) => p.text)).toEqual(['hello **bold** _it_ ~~gone~~ `x*y` red \\*x\\*', 'marker', 'back **again**']);
    expect((await tb.bridge.tubes.of(roomKey(other.ref('lobby')))).map((t) => t.id)).toEqual([tube]);
  }, 60_000);
});

describe('IRC ↔ a web room through the bridge', () => {
  it('pairs a web room with an IRC channel and relays posts both ways (IRC has no edits or deletes)', async () => {
    const { irc, aliceInvites, fromBot: seenBy } = await ngircd(rig);
    const tb = await rig.web(irc);
    const alice = await aliceInvites();
    const fromBot = (): string[] => seenBy(alice);

    // Pairing: `-sameroom open` typed in the web room, the code typed in the channel.
    const sam = await rig.webRoom(tb, {
      platform: 'IRC',
      connect: (code) => alice.client.say('#Lobby', `-sameroom connect ${code}`),
      answers: fromBot,
      notice: 'now linked to #lobby on 127.0.0.1 (IRC)',
    });

    // Web → IRC: IRC cannot impersonate, so the copy is from the bot with the (defused) name in front,
    // canonical markup made IRC formatting.
    const seenBefore = fromBot().length;
    const hello = await sam.post('hello **IRC** _people_');
    await waitFor(() => fromBot().length > seenBefore, 10_000, 'copy in IRC');
    expect(fromBot().slice(seenBefore)).toEqual([`${B}S${ZWSP}am${B}: hello ${B}IRC${B} ${I}people${I}`]);

    // IRC → web: shown under the nick, IRC formatting made canonical.
    alice.client.say('#Lobby', `hi ${B}web${B} folks`);
    const shown = await copyOnWeb(sam, 'the copy of alice’s line');
    expect(shown).toMatchObject({ author: { name: 'alice' }, text: 'hi **web** folks' });

    // IRC cannot edit or delete: a web edit and delete change the web room only, and say nothing in IRC.
    const seenAfterCopy = fromBot().length;
    await editOnWeb(sam, hello, 'hello later');
    await deleteOnWeb(sam, hello);
    await tb.settle();
    // A later post went out after them: anything the edit or delete had said in IRC would come before it.
    await sam.post('after');
    await waitFor(() => fromBot().some((t) => t.endsWith(': after')), 10_000, 'the post after the marker in IRC');
    expect(fromBot().slice(seenAfterCopy)).toEqual([`${B}S${ZWSP}am${B}: after`]);

    // The bot's own lines (answers, copies) never came back to the web room.
    await tb.settle();
    expect(copiesSent(sam).map((m) => m.text)).toEqual(['hi **web** folks']);
  }, 30_000);
});
