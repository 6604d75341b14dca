/**
 * A tube between an IRC channel (the real bot on a real, private ngIRCd; an irc-framework
 * client plays the human) and a test-platform room, both ways, through the real bridge.
 * If ngircd is not installed, startNgircd throws and the test FAILS (nothing is skipped).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createIrcBot } from '../../bots/irc/index.js';
import { toPlain } from '../../src/markup.js';
import { roomKey } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { connectUser, type IrcUser } from '../irc/irc-user.js';
import { startNgircd, type IrcServer } from '../servers/ngircd.js';
import { waitFor } from './waitfor.js';

const WS = '127.0.0.1';
const ZWSP = '\u200b';
const [B, I, S, M] = ['\x02', '\x1d', '\x1e', '\x11'];

describe('IRC ↔ another room through the bridge', () => {
  let server: IrcServer | undefined;
  let tb: TestBridge | undefined;
  const users: IrcUser[] = [];
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    await tb?.stop();
    await server?.close();
    tb = undefined;
    server = undefined;
  });

  it('pairs from the channel, relays posts with formatting both ways, defuses nicks, ignores its own lines, survives a server restart', async () => {
    server = await startNgircd();
    const srv = server;
    const irc = createIrcBot({
      networks: [{ server: WS, port: srv.port, tls: false, nick: 'sameroom' }],
      pace: { burst: 10, intervalMs: 50 },
      reconnect: { baseMs: 100, maxMs: 1000 },
    });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [irc, other] });

    let alice = await connectUser(srv.port, 'alice');
    users.push(alice);
    await alice.join('#Lobby');
    // The bot is brought in the way people do it: an invitation.
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    alice.client.invite('#Lobby', 'sameroom');
    await joined;
    await waitFor(() => irc.channels(WS).includes('#lobby'), 10_000, 'the bot to be in #lobby');
    const fromBot = (u: IrcUser): string[] => u.seen.filter((s) => s.nick === 'sameroom' && s.target.toLowerCase() === '#lobby').map((s) => s.message);

    // Pairing: `-sameroom open` typed in the channel, the code pasted in the lobby.
    alice.client.say('#Lobby', '-sameroom open');
    await waitFor(() => fromBot(alice).some((t) => t.includes('connect')), 10_000, 'open answer');
    const answer = fromBot(alice);
    expect(answer.at(-1)).toMatch(new RegExp(`^${M}-sameroom connect [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}${M}$`));
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(answer.at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/^bridge-bot: This room is now linked to #lobby on 127\.0\.0\.1 \(IRC\)/);
    await waitFor(() => fromBot(alice).some((t) => t.includes('now linked to #lobby (alpha)')), 10_000, 'linked notice in IRC');
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
    alice.client.say('#Lobby', 'marker');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), 10_000, 'marker in lobby');
    await tb.settle();
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
    alice = await connectUser(srv.port, 'alice');
    users.push(alice);
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
  let server: IrcServer | undefined;
  let kit: WebKit | undefined;
  const users: IrcUser[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const u of users.splice(0)) await u.quit();
    await kit?.stop();
    await server?.close();
    kit = undefined;
    server = undefined;
  });

  it('pairs a web room with an IRC channel and relays posts both ways (IRC has no edits or deletes)', async () => {
    server = await startNgircd();
    const srv = server;
    const irc = createIrcBot({
      networks: [{ server: WS, port: srv.port, tls: false, nick: 'sameroom' }],
      pace: { burst: 10, intervalMs: 50 },
      reconnect: { baseMs: 100, maxMs: 1000 },
    });
    kit = await startWeb({ bots: [irc] });
    const { tb } = kit;

    const alice = await connectUser(srv.port, 'alice');
    users.push(alice);
    await alice.join('#Lobby');
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    alice.client.invite('#Lobby', 'sameroom');
    await joined;
    await waitFor(() => irc.channels(WS).includes('#lobby'), 10_000, 'the bot to be in #lobby');
    const fromBot = (): string[] => alice.seen.filter((s) => s.nick === 'sameroom' && s.target.toLowerCase() === '#lobby').map((s) => s.message);

    // Pairing: `-sameroom open` typed in the web room, the code typed in the channel.
    const id = await createRoom(tb.url, 'Customers');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    alice.client.say('#Lobby', `-sameroom connect ${code}`);
    await waitFor(() => fromBot().some((t) => t.includes('now linked to Customers (Web)')), 10_000, 'linked answer in IRC');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to #lobby on 127.0.0.1 (IRC)')), 10_000);

    // Web → IRC: IRC cannot impersonate, so the copy is from the bot with the (defused) name in front,
    // canonical markup made IRC formatting.
    const seenBefore = fromBot().length;
    const hello = await sam.post('hello **IRC** _people_');
    await waitFor(() => fromBot().length > seenBefore, 10_000, 'copy in IRC');
    expect(fromBot().slice(seenBefore)).toEqual([`${B}S${ZWSP}am${B}: hello ${B}IRC${B} ${I}people${I}`]);

    // IRC → web: shown under the nick, IRC formatting made canonical.
    alice.client.say('#Lobby', `hi ${B}web${B} folks`);
    const shown = await until('the copy of alice’s line', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'alice' }, text: 'hi **web** folks' });

    // IRC cannot edit or delete: a web edit and delete change the web room only, and say nothing in IRC.
    const seenAfterCopy = fromBot().length;
    sam.send({ type: 'edit', id: hello.id, text: 'hello later' });
    await sam.next('update', (m) => m.message.id === hello.id);
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await tb.settle();
    // A later post went out after them: anything the edit or delete had said in IRC would come before it.
    await sam.post('after');
    await waitFor(() => fromBot().some((t) => t.endsWith(': after')), 10_000, 'the post after the marker in IRC');
    expect(fromBot().slice(seenAfterCopy)).toEqual([`${B}S${ZWSP}am${B}: after`]);

    // The bot's own lines (answers, copies) never came back to the web room.
    await tb.settle();
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.text] : []))).toEqual(['hi **web** folks']);
  }, 30_000);
});
