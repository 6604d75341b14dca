/**
 * The IRC bot against a real, private ngIRCd: a plain irc-framework client plays the human.
 * If ngircd is not installed, beforeAll throws and every test here FAILS (nothing is skipped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIrcBot, type IrcBot } from '../../bots/irc/index.js';
import { DeliveryError } from '../../src/errors.js';
import type { FileId, InboundPost, OutboundPost, RoomKey, RoomRef } from '../../src/model.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { startNgircd, type IrcServer } from '../servers/ngircd.js';
import { connectUser, type IrcUser } from './irc-user.js';

const PACE = { burst: 3, intervalMs: 150 };
const WS = '127.0.0.1';
const room: RoomRef = { platform: 'irc', workspace: WS, channel: '#lobby' };

let server: IrcServer;
let harness: Harness;
let bot: IrcBot;
let alice: IrcUser;

const makeBot = (port: number, channels: string[] = []): IrcBot =>
  createIrcBot({
    networks: [{ server: WS, port, tls: false, nick: 'sameroom', channels }],
    pace: PACE,
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

const isPost = (e: { kind: string }): e is InboundPost => e.kind === 'post';

beforeAll(async () => {
  server = await startNgircd();
  harness = createHarness();
  bot = makeBot(server.port);
  await bot.start(harness.ctx);
  alice = await connectUser(server.port, 'alice');
  await alice.join('#Lobby');
});

afterAll(async () => {
  await alice?.quit();
  await harness?.close(bot);
  await server?.close();
});

describe('IRC bot on a real ngIRCd', () => {
  it('joins a channel it is invited to and remembers it in its state', async () => {
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    alice.client.invite('#Lobby', 'sameroom');
    await joined;
    expect(bot.channels(WS)).toEqual(['#lobby']);
    expect(JSON.parse(harness.state.get(`channels:${WS}`) ?? '[]')).toEqual(['#lobby']);
  });

  it('turns a channel message with formatting into an Inbound post', async () => {
    alice.client.say('#Lobby', 'hello \x02bold\x02 \x1dit\x1d \x0304red\x03 *x*');
    const e = await harness.waitFor((ev) => isPost(ev) && ev.text.startsWith('hello'));
    expect(e).toMatchObject({
      kind: 'post',
      room: { platform: 'irc', workspace: WS, channel: '#lobby' },
      author: { id: 'alice', name: 'alice' },
      text: 'hello **bold** _it_ red \\*x\\*',
    });
    expect(e.eventId).toBe(`${WS}/${e.id}`);
  });

  it('reports /me as an action', async () => {
    alice.client.action('#Lobby', 'waves');
    const e = await harness.waitFor((ev) => isPost(ev) && ev.text === 'waves');
    expect(e).toMatchObject({ kind: 'post', action: true, author: { name: 'alice' } });
  });

  it('normalizes a message addressed to the bot into a -sameroom command', async () => {
    alice.client.say('#Lobby', 'sameroom: open');
    const e = await harness.waitFor((ev) => isPost(ev) && ev.text.startsWith('-sameroom'));
    expect(e).toMatchObject({ text: '-sameroom open' });
  });

  it('ignores private messages to the bot', async () => {
    alice.client.say('sameroom', 'psst private');
    alice.client.say('#lobby', 'after the private one');
    await harness.waitFor((ev) => isPost(ev) && ev.text === 'after the private one');
    expect(harness.events.some((ev) => isPost(ev) && ev.text.includes('psst'))).toBe(false);
  });

  it('posts a copy with IRC formatting and the author name defused', async () => {
    const ids = await bot.send(outbound('**alice**: hi _there_ alice, see [docs](https://x.test/alice)'));
    expect(ids).toHaveLength(1);
    const got = await alice.waitFor((s) => s.nick === 'sameroom' && s.message.includes('hi'));
    expect(got.target.toLowerCase()).toBe('#lobby');
    expect(got.message).toBe('\x02a\u200blice\x02: hi \x1dthere\x1d a\u200blice, see docs (https://x.test/alice)');
    expect(/\balice\b/.test(got.message.replace('https://x.test/alice', ''))).toBe(false);
  });

  it('splits a long copy by UTF-8 bytes on word boundaries, paced, without losing a word', async () => {
    const words = Array.from({ length: 260 }, (_, i) => `wörd${i}✓`);
    const text = words.join(' ');
    const before = alice.raw.length;
    const ids = await bot.send(outbound(text));
    expect(ids.length).toBeGreaterThan(PACE.burst + 2);
    const lines = await alice.waitForCount((s) => s.nick === 'sameroom' && s.message.startsWith('wörd'), ids.length);
    expect(lines.map((l) => l.message).join(' ')).toBe(text);
    const privmsgs = alice.raw.slice(before).filter((l) => l.includes(' PRIVMSG #'));
    expect(privmsgs).toHaveLength(ids.length);
    for (const l of privmsgs) expect(Buffer.byteLength(`${l}\r\n`)).toBeLessThanOrEqual(512);
    // Everything after the burst waits one interval per line (a lower bound, with slack for timers).
    const span = (lines.at(-1)?.at ?? 0) - (lines[0]?.at ?? 0);
    expect(span).toBeGreaterThanOrEqual((ids.length - PACE.burst) * PACE.intervalMs * 0.7);
  });

  it('posts files as links and multi-line text as several lines', async () => {
    const file = { id: 'f1' as FileId, name: 'cat.png', mime: 'image/png', size: 10, url: 'https://bridge.test/files/f1/cat.png' };
    const ids = await bot.send(outbound('bob: line one\nline two', { author: { id: 'U2', name: 'bob' }, attachments: [file] }));
    expect(ids).toHaveLength(3);
    const got = await alice.waitForCount((s) => s.nick === 'sameroom' && /line|cat\.png/.test(s.message), 3);
    expect(got.map((s) => s.message)).toEqual(['b\u200bob: line one', 'line two', 'cat.png: https://bridge.test/files/f1/cat.png']);
  });

  it('answers commands with say()', async () => {
    await bot.say(room, 'pong: **42** ms');
    const got = await alice.waitFor((s) => s.nick === 'sameroom' && s.message.startsWith('pong'));
    expect(got.message).toBe('pong: \x0242\x02 ms');
  });

  it('refuses to post where it is not, and to channel names that smuggle commands', async () => {
    await expect(bot.send(outbound('x', { room: { ...room, channel: '#elsewhere' } }))).rejects.toMatchObject({
      code: 'forbidden',
    });
    const bad = bot.send(outbound('x', { room: { ...room, channel: '#a\r\nQUIT' } }));
    await expect(bad).rejects.toBeInstanceOf(DeliveryError);
    await expect(bad).rejects.toMatchObject({ code: 'rejected' });
  });

  it('reconnects after the server restarts and rejoins its channels', async () => {
    await alice.quit();
    await server.stop();
    await expect.poll(() => bot.channels(WS)).toEqual([]);
    await expect(bot.send(outbound('while down'))).rejects.toMatchObject({ code: 'unavailable' });
    await server.restart();
    alice = await connectUser(server.port, 'alice');
    await alice.join('#lobby');
    // The bot rejoins on its own (backoff from 100 ms); wait for it through the real server.
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('bot did not rejoin #lobby')), 15_000);
      const poll = setInterval(() => {
        if (bot.channels(WS).includes('#lobby')) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 50);
    });
    alice.client.say('#lobby', 'back again');
    await harness.waitFor((ev) => isPost(ev) && ev.text === 'back again');
    await bot.send(outbound('carol: welcome back', { author: { id: 'U3', name: 'carol' } }));
    await alice.waitFor((s) => s.nick === 'sameroom' && s.message === 'c\u200barol: welcome back');
  });

  it('rejoins the channels from its state after a restart of the bot', async () => {
    await bot.stop();
    bot = makeBot(server.port);
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    await bot.start(harness.ctx);
    await joined;
    expect(bot.channels(WS)).toEqual(['#lobby']);
  });

  it('forgets a channel it was kicked from', async () => {
    await alice.join('#kickme'); // first in: alice is the channel operator
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom' && e.channel === '#kickme');
    alice.client.invite('#kickme', 'sameroom');
    await joined;
    await expect.poll(() => harness.state.get(`channels:${WS}`)).toBe('["#kickme","#lobby"]');
    const kicked = alice.waitForEvent('kick', (e) => e.kicked === 'sameroom');
    alice.client.raw('KICK #kickme sameroom :bye');
    await kicked;
    await expect.poll(() => harness.state.get(`channels:${WS}`)).toBe('["#lobby"]');
    expect(bot.channels(WS)).toEqual(['#lobby']);
  });
});
