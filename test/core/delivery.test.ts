/** The delivery queue: order per room, retry-after honoured, dead letters, failover. */
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import { roomKey, type OutboundPost, type RemoteMessageId } from '../../src/model.js';
import { DeadLetters } from '../../src/queue/queue.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

describe.each<StoreKind>(['embedded', 'redis'])('delivery on the %s store', (store) => {
  const bridges: TestBridge[] = [];
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.stop().catch(() => undefined);
  });

  it('keeps per-room order through 429s, waiting at least retry-after, while other rooms flow', async () => {
    const a = new TestBot('alpha');
    const slow = new TestBot('slow');
    const fast = new TestBot('fast');
    const tb = await startTestBridge({ store, bots: [a, slow, fast] });
    bridges.push(tb);
    await link(tb, a, 'x', slow, 's');
    await link(tb, a, 'x', fast, 'f');
    slow.failures.push({ retryAfterMs: 300 }, { retryAfterMs: 300 });
    const started = Date.now();
    for (let i = 0; i < 20; i++) await a.says('x', 'Ann', `m${i}`);
    // The fast room is not held up by the slow one's rate limit.
    await waitFor(() => fast.lines('f').filter((l) => /m\d+$/.test(l)).length === 20);
    expect(slow.lines('s').filter((l) => /m\d+$/.test(l)).length).toBeLessThan(20);
    await tb.settle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    const order = (bot: TestBot, room: string): string[] => bot.lines(room).filter((l) => /m\d+$/.test(l)).map((l) => l.split(': ').at(-1) ?? '');
    const want = Array.from({ length: 20 }, (_, i) => `m${i}`);
    expect(order(slow, 's')).toEqual(want);
    expect(order(fast, 'f')).toEqual(want);
    expect(await tb.bridge.queue.stats()).toMatchObject({ depth: 0 });
  });

  it('dead-letters after the retry budget, logs it, and replays it later', async () => {
    const a = new TestBot('alpha');
    const down = new TestBot('down');
    const tb = await startTestBridge({ store, bots: [a, down], retry: { maxAttempts: 3, baseDelayMs: 5 } });
    bridges.push(tb);
    await link(tb, a, 'x', down, 'd');
    down.failures.push(new Error('HTTP 500'), new Error('HTTP 500'), new Error('HTTP 500'));
    await a.says('x', 'Ann', 'lost?');
    await tb.settle();
    expect(down.lines('d').some((l) => l.endsWith('lost?'))).toBe(false);
    const dead = new DeadLetters(tb.bridge.store);
    const letters = await dead.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ attempts: 3, error: 'Error: HTTP 500', job: { op: 'post', target: 'down::d' } });
    const log = await tb.bridge.seclog.recent(tb.bridge.tenant(down.ref('d')));
    expect(log.find((e) => e.type === 'dead_letter')?.detail).toMatch(/post not delivered after 3 attempts/);
    expect(await dead.replay(tb.bridge.queue)).toBe(1);
    await tb.settle();
    expect(down.lines('d').filter((l) => l.endsWith('lost?'))).toHaveLength(1);
    expect(await dead.list()).toHaveLength(0);
  });

  it('tells the platform a post may already exist when it is retried or taken up again after a stop', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    const tb = await startTestBridge({ store, bots: [a, b] });
    bridges.push(tb);
    await link(tb, a, 'x', b, 'y');
    // A 502 may have come after the platform stored the post; a 429 proves it did not.
    b.failures.push(new DeliveryError('unavailable', '502 Bad Gateway'));
    await a.says('x', 'Ann', 'after a 502');
    b.failures.push({ retryAfterMs: 10 });
    await a.says('x', 'Ann', 'after a 429');
    await a.says('x', 'Ann', 'first try');
    await tb.settle();
    const flags = (bot: TestBot): Array<[string, boolean]> => bot.sendLog.map((p) => [p.text.split(': ').at(-1) ?? '', p.mayExist === true]);
    expect(flags(b)).toEqual([['after a 502', true], ['after a 429', false], ['first try', false]]);

    // A send that never returns when the process stops: the job stays pending, and the next
    // process cannot know whether the platform got it.
    await tb.stop();
    bridges.splice(bridges.indexOf(tb), 1);
    const stuck = new HangingBot('beta');
    const a2 = new TestBot('alpha', {}, 'p2');
    const second = await startTestBridge({ store, bots: [a2, stuck], dataDir: tb.dataDir, prefix: tb.prefix });
    await a2.says('x', 'Ann', 'in flight');
    await waitFor(() => stuck.hanging);
    await second.stop();
    const b3 = new TestBot('beta');
    const third = await startTestBridge({ store, bots: [new TestBot('alpha', {}, 'p3'), b3], dataDir: tb.dataDir, prefix: tb.prefix });
    bridges.push(third);
    await waitFor(() => b3.sendLog.length === 1);
    expect(flags(b3)).toEqual([['in flight', true]]);
  });

  it("a bot's lookup cannot take another message's copy: the part is posted after all", async () => {
    const a = new TestBot('alpha');
    const b = new GreedyBot('beta');
    const tb = await startTestBridge({ store, bots: [a, b] });
    bridges.push(tb);
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', 'same words');
    b.failures.push(new DeliveryError('unavailable', 'timeout'));
    await a.says('x', 'Ann', 'same words');
    await tb.settle();
    expect(b.lines('y').filter((l) => l.endsWith('same words'))).toHaveLength(2);
    const [first, second] = b.room('y').filter((m) => m.text.endsWith('same words'));
    if (!first || !second) throw new Error('two copies expected');
    expect(first.id).not.toBe(second.id);
    // Each copy is in the message map under its own message.
    const room = roomKey(b.ref('y'));
    expect(await tb.bridge.map.groupOf(room, second.id)).not.toBe(await tb.bridge.map.groupOf(room, first.id));
  });

  it('dead-letters a permanent rejection at once', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    const tb = await startTestBridge({ store, bots: [a, b] });
    bridges.push(tb);
    await link(tb, a, 'x', b, 'y');
    b.failures.push(new DeliveryError('forbidden', 'missing permission'));
    await a.says('x', 'Ann', 'nope');
    await a.says('x', 'Ann', 'next one');
    await tb.settle();
    expect((await new DeadLetters(tb.bridge.store).list())[0]).toMatchObject({ attempts: 1 });
    expect(b.lines('y').at(-1)).toBe('bridge-bot: Ann: next one');
  });
});

describe('delivery across processes (redis)', () => {
  const bridges: TestBridge[] = [];
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.stop().catch(() => undefined);
  });

  it("a second process takes over a stopped process's pending jobs, in order, without duplicates", async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    const first = await startTestBridge({ store: 'redis', bots: [a, b], leaseMs: 300 });
    bridges.push(first);
    await link(first, a, 'x', b, 'y');
    // The target is down: jobs pile up, unacknowledged, in process one.
    for (let i = 0; i < 10; i++) b.failures.push(new Error('HTTP 503'));
    for (let i = 0; i < 5; i++) await a.says('x', 'Ann', `job${i}`);
    await new Promise((r) => setTimeout(r, 50));
    await first.bridge.queue.stop(0); // the process dies: its leases lapse
    bridges.splice(0);
    b.failures.length = 0;
    const second = await startTestBridge({ store: 'redis', bots: [a, b], prefix: first.prefix, dataDir: first.dataDir, leaseMs: 300 });
    bridges.push(second);
    await waitFor(() => b.lines('y').filter((l) => /job\d$/.test(l)).length >= 5, 10_000);
    await second.settle();
    expect(b.lines('y').filter((l) => /job\d$/.test(l))).toEqual(['bridge-bot: Ann: job0', 'bridge-bot: Ann: job1', 'bridge-bot: Ann: job2', 'bridge-bot: Ann: job3', 'bridge-bot: Ann: job4']);
    await first.bridge.http.close();
    await first.bridge.store.close();
  });
});

/** A platform whose "earlier copy" lookup takes the newest message with the same text, whoever's copy it is. */
class GreedyBot extends TestBot {
  override async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const same = this.room(post.room.channel).filter((m) => m.text === post.text).at(-1);
    if (post.mayExist && same) return [same.id];
    return super.send(post);
  }
}

/** A platform whose sends never return (it stopped answering mid-request). */
class HangingBot extends TestBot {
  hanging = false;

  override async send(): Promise<never> {
    this.hanging = true;
    return new Promise<never>(() => undefined);
  }
}

async function waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
