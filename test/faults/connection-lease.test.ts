/**
 * IRC with two bridge processes on one Redis: IRC allows the bridge one connection per
 * network, so only the holder of the IRC lease connects, and only it delivers to IRC (its
 * copies go over that connection). Every message crosses once, in order, from either side;
 * when the holder stops, the other process connects, rejoins the channel and delivers what
 * follows. No delivery fails or is dead-lettered for want of a connection.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createIrcBot, type IrcBot } from '../../bots/irc/index.js';
import { keys } from '../../src/keys.js';
import { roomKey } from '../../src/model.js';
import { DeadLetters } from '../../src/queue/queue.js';
import { RedisQueue, shardOf } from '../../src/queue/redis.js';
import { connectRedis } from '../../src/store/redis.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { connectUser, type IrcUser } from '../irc/irc-user.js';
import { startNgircd, type IrcServer } from '../servers/ngircd.js';
import { waitFor } from '../e2e/waitfor.js';

const WS = '127.0.0.1';
const SHARDS = 8;

describe('a connection-bound platform (IRC) with two processes', () => {
  let server: IrcServer | undefined;
  const bridges: TestBridge[] = [];
  const users: IrcUser[] = [];
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    for (const b of bridges.splice(0)) await b.stop();
    await server?.close();
    server = undefined;
  });

  it('connects and delivers from the lease holder only; the other process takes over when it stops', async () => {
    server = await startNgircd();
    const port = server.port;
    const prefix = `cl${randomBytes(3).toString('hex')}:`;
    const start = async (id: string): Promise<{ tb: TestBridge; irc: IrcBot; lobby: TestBot }> => {
      const irc = createIrcBot({
        networks: [{ server: WS, port, tls: false, nick: 'sameroom' }],
        pace: { burst: 50, intervalMs: 10 },
        reconnect: { baseMs: 100, maxMs: 1000 },
      });
      const lobby = new TestBot('alpha', {}, id); // one room seen from two processes: ids must not collide
      const tb = await startTestBridge({ store: 'redis', prefix, bots: [irc, lobby], env: { PROCESS_ID: id, LEASE_MS: '1000', QUEUE_SHARDS: String(SHARDS) } });
      bridges.push(tb);
      return { tb, irc, lobby };
    };
    const p1 = await start('p1');
    const p2 = await start('p2');

    // Which process holds the IRC connection, and a channel whose deliveries the queue's shard
    // leases give to the OTHER process: without routing, that one would try to deliver there.
    const redis = connectRedis(inject('redisUrl'));
    const ircHolder = await redis.get(prefix + keys.lease('irc')).finally(() => redis.disconnect());
    const [holder, other] = ircHolder === 'p1' ? [p1, p2] : [p2, p1];
    expect(ircHolder).toBe(holder.tb.config.processId);
    const otherShards = (): number[] => (other.tb.bridge.queue instanceof RedisQueue ? other.tb.bridge.queue.heldShards() : []);
    await waitFor(() => otherShards().length === SHARDS / 2, 10_000, 'the shards shared');
    const channel = Array.from({ length: 100 }, (_, n) => `#lobby${n}`).find((c) =>
      otherShards().includes(shardOf(roomKey({ platform: 'irc', workspace: WS, channel: c }), SHARDS)),
    );
    if (!channel) throw new Error('no channel name maps to the other process\'s shards');

    const alice = await connectUser(port, 'alice');
    users.push(alice);
    await alice.join(channel);
    const joined = alice.waitForEvent('join', (e) => e.nick === 'sameroom');
    alice.client.invite(channel, 'sameroom');
    await joined;
    // The bot that came is the lease holder's; the other process has no connection at all.
    await waitFor(() => holder.irc.channels(WS).includes(channel), 10_000, 'the bot in the channel');
    expect(other.irc.channels(WS)).toEqual([]);

    const fromBot = (): string[] => alice.seen.filter((s) => s.nick === 'sameroom' && s.target?.toLowerCase() === channel).map((s) => s.message ?? '');
    alice.client.say(channel, '-sameroom open');
    await waitFor(() => fromBot().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.lobby.says('lobby', 'Bob', `-sameroom connect ${codeIn(fromBot().at(-1) ?? '')}`);
    await waitFor(() => fromBot().some((t) => t.includes('now linked')), 10_000, 'linked notice in IRC');
    expect(fromBot().filter((t) => t.includes('connect ')).length).toBe(1);

    // IRC → lobby: the holder's connection hears it, once; whichever process delivers.
    for (let i = 0; i < 10; i++) alice.client.say(channel, `i${i}`);
    const inLobby = (): string[] => [...p1.lobby.lines('lobby'), ...p2.lobby.lines('lobby')].filter((l) => / i\d+$/.test(l)).map((l) => l.split(' ').at(-1) ?? '');
    await waitFor(() => inLobby().length >= 10, 15_000, 'copies in the lobby');

    // Lobby → IRC, written on both processes: only the holder delivers, each line once, in order.
    for (let i = 0; i < 20; i++) await (i % 2 ? p1 : p2).lobby.says('lobby', 'Bob', `l${i}`);
    const inIrc = (): string[] => fromBot().flatMap((t) => /: (l\d+)$/.exec(t)?.[1] ?? []);
    await waitFor(() => inIrc().length >= 20, 15_000, 'copies in IRC');
    await Promise.all([p1.tb.settle(), p2.tb.settle()]);
    expect(inLobby().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `i${i}`).sort());
    expect(inIrc()).toEqual(Array.from({ length: 20 }, (_, i) => `l${i}`));

    // The holder stops: the other process takes the lease, connects and rejoins the channel.
    const rejoined = alice.waitForEvent('join', (e) => e.nick === 'sameroom', 20_000);
    const stopped = holder.tb;
    bridges.splice(bridges.indexOf(stopped), 1);
    await stopped.stop();
    await rejoined;
    await waitFor(() => other.irc.channels(WS).includes(channel), 10_000, 'the other process in the channel');
    for (let i = 20; i < 30; i++) await other.lobby.says('lobby', 'Bob', `l${i}`);
    await waitFor(() => inIrc().length >= 30, 20_000, 'copies after the takeover');
    await other.tb.settle();
    expect(inIrc()).toEqual(Array.from({ length: 30 }, (_, i) => `l${i}`));
    expect(await new DeadLetters(other.tb.bridge.store).list()).toEqual([]);
  }, 90_000);
});
