/**
 * Back-pressure on the Redis queue: a flood of 5,000 messages to a target that first stalls and
 * then is slow. The process holds at most `maxInMemory` jobs of a shard in memory (sampled the
 * whole time), while the depth in Redis grows to the whole flood and then drains to the exact
 * count, in order; /metrics shows the depth, the oldest pending age and the in-memory count.
 */
import { createCommandRunner } from '../../commands/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Bridge } from '../../src/bridge.js';
import { loadConfig } from '../../src/config.js';
import { createHttp } from '../../src/http.js';
import { createLogger } from '../../src/log.js';
import type { OutboundPost, RemoteMessageId } from '../../src/model.js';
import { DEFAULT_RETRY, type QueueStats } from '../../src/queue/queue.js';
import { RedisQueue } from '../../src/queue/redis.js';
import { RedisStore, connectRedis } from '../../src/store/redis.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from '../e2e/waitfor.js';

const N = 5000;
const BOUND = 100;

/** A target that holds every send until released (a platform that stopped answering), then a turn of the event loop each. */
class SlowBot extends TestBot {
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }

  override async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    await this.gate;
    await new Promise((r) => setImmediate(r));
    return super.send(post);
  }
}

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('back-pressure', () => {
  let bridge: Bridge | undefined;
  afterEach(async () => {
    await bridge?.stop(2000).catch(() => undefined);
  });

  /** A bridge on Redis with a source room `flood` (alpha) linked to a stalled target room `sink` (beta). */
  async function setup(shards?: number): Promise<{ url: string; queue: RedisQueue; source: TestBot; sink: SlowBot }> {
    const prefix = `bp${randomBytes(3).toString('hex')}:`;
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sr-bp-')), REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'silent' });
    const client = connectRedis(inject('redisUrl'));
    const store = new RedisStore(client, prefix);
    const queue = new RedisQueue(client, store, prefix, {
      processId: config.processId,
      leaseMs: 1000,
      maxInMemory: BOUND,
      retry: { ...DEFAULT_RETRY, baseDelayMs: 10, maxDelayMs: 200 },
      ...(shards ? { shards } : {}),
    });
    const source = new TestBot('alpha');
    const sink = new SlowBot('beta');
    const b = new Bridge({ config, log: createLogger('silent'), store, queue, http: createHttp(), bots: [source, sink], commands: createCommandRunner() });
    bridge = b;
    await b.start();
    const url = await b.http.listen({ port: 0, host: '127.0.0.1' });

    await source.says('flood', 'Opener', '-sameroom open');
    await sink.says('sink', 'Joiner', `-sameroom connect ${codeIn(source.lines('flood').at(-1) ?? '')}`);
    await waitFor(() => sink.lines('sink').some((l) => l.includes('now linked')), 10_000, 'linked');
    return { url, queue, source, sink };
  }

  it(`keeps at most ${BOUND} jobs in memory while ${N} wait in Redis, then delivers all of them in order`, async () => {
    const { url, queue, source, sink } = await setup();

    const samples: QueueStats[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await queue.stats());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    for (let i = 0; i < N; i++) await source.says('flood', 'Ann', `f${i}`);
    // The target is stalled: the whole flood is pending in Redis, and only BOUND of it in memory.
    await waitFor(() => (samples.at(-1)?.inMemory ?? 0) === BOUND, 10_000, 'reader filled up to the bound');
    const stalled = await queue.stats();
    expect(stalled).toMatchObject({ depth: N, inMemory: BOUND });
    const m = await (await fetch(`${url}/metrics`)).text();
    expect(metric(m, 'sameroom_queue_depth{platform="beta"}')).toBe(N);
    expect(metric(m, 'sameroom_queue_depth{platform="alpha"}')).toBe(0);
    expect(metric(m, 'sameroom_queue_in_memory')).toBe(BOUND);
    expect(metric(m, 'sameroom_queue_oldest_seconds{platform="beta"}')).toBeGreaterThan(0);
    expect(metric(m, 'sameroom_queue_oldest_seconds{platform="alpha"}')).toBe(0);

    sink.open();
    const copies = (): string[] => sink.lines('sink').filter((l) => / f\d+$/.test(l));
    await waitFor(() => copies().length >= N, 150_000, 'every copy');
    await waitFor(() => (samples.at(-1)?.depth ?? 1) === 0, 10_000, 'queue drained');
    sampling = false;
    await sampler;

    expect(samples.length).toBeGreaterThan(100);
    expect(Math.max(...samples.map((s) => s.inMemory))).toBe(BOUND);
    expect(Math.max(...samples.map((s) => s.depth))).toBe(N);
    // The depth went down while the target worked through it (sampled on the way).
    expect(samples.filter((s) => s.depth > 0 && s.depth < N / 2).length).toBeGreaterThan(5);
    expect(copies()).toEqual(Array.from({ length: N }, (_, i) => `bridge-bot: Ann: f${i}`));
    expect(await queue.stats()).toMatchObject({ depth: 0, oldestAgeMs: 0, inMemory: 0 });
    const end = await (await fetch(`${url}/metrics`)).text();
    expect(metric(end, 'sameroom_deliveries_total{platform="beta",op="post"}')).toBe(N);
    expect(metric(end, 'sameroom_queue_depth{platform="beta"}')).toBe(0);
    expect(metric(end, 'sameroom_queue_oldest_seconds{platform="beta"}')).toBe(0);
  }, 240_000);

  it('a stalled platform fills only its own share: another platform on the same shard keeps flowing', async () => {
    // One shard: both rooms' deliveries are read by the same reader.
    const { queue, source, sink } = await setup(1);
    for (let i = 0; i < 3 * BOUND; i++) await source.says('flood', 'Ann', `s${i}`);
    /** Queue stats once `ok` holds for them (or the last ones after 10 s). */
    const statsWhen = async (ok: (s: QueueStats) => boolean): Promise<QueueStats> => {
      let s = await queue.stats();
      for (const until = Date.now() + 10_000; !ok(s) && Date.now() < until; s = await queue.stats()) await new Promise((r) => setTimeout(r, 20));
      return s;
    };
    expect((await statsWhen((s) => s.inMemory === BOUND)).inMemory).toBe(BOUND);

    await sink.says('sink', 'Bob', 'still there?');
    await waitFor(() => source.lines('flood').some((l) => l.endsWith('Bob: still there?')), 10_000, 'the other direction delivered');
    // The copy is out; its acknowledgement follows.
    const stalled = await statsWhen((s) => s.platforms.alpha?.depth === 0);
    expect(stalled.platforms).toEqual({ alpha: { depth: 0, oldestAgeMs: 0 }, beta: { depth: 3 * BOUND, oldestAgeMs: expect.any(Number) } });
    expect(stalled.platforms.beta?.oldestAgeMs).toBeGreaterThan(0);
    expect(sink.lines('sink').filter((l) => / s\d+$/.test(l))).toEqual([]);

    sink.open();
    await waitFor(() => sink.lines('sink').filter((l) => / s\d+$/.test(l)).length >= 3 * BOUND, 60_000, 'every copy');
    expect(sink.lines('sink').filter((l) => / s\d+$/.test(l))).toEqual(Array.from({ length: 3 * BOUND }, (_, i) => `bridge-bot: Ann: s${i}`));
  }, 120_000);
});
