/** One contract for every store: what the rest of the bridge relies on from a Store. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';

export interface Maker {
  make(): Store;
  /** the same data, as a new process would open it */
  reopen(): Promise<Store>;
  /** a store from `reopen` hears this one's publishes (Redis; an embedded store is its own process) */
  readonly shared: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A subscriber's log of what it heard, and a wait for it. */
function ear(): { heard: string[]; onMessage: (m: string) => void; hears: (m: string) => Promise<void> } {
  const heard: string[] = [];
  return {
    heard,
    onMessage: (m) => heard.push(m),
    hears: async (m) => {
      const end = Date.now() + 5000;
      while (!heard.includes(m)) {
        if (Date.now() > end) throw new Error(`never heard ${m}; heard ${JSON.stringify(heard)}`);
        await sleep(5);
      }
    },
  };
}

export function storeContract(name: string, factory: () => Maker): void {
  describe(`Store contract: ${name}`, () => {
  const open: Store[] = [];
  const fresh = (): { store: Store; maker: Maker } => {
    const maker = factory();
    const store = maker.make();
    open.push(store);
    return { store, maker };
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });

  it('gets, sets, deletes strings', async () => {
    const { store } = fresh();
    expect(await store.get('a')).toBeNull();
    await store.set('a', '1');
    expect(await store.get('a')).toBe('1');
    await store.del('a');
    expect(await store.get('a')).toBeNull();
  });

  it('expires keys after their TTL', async () => {
    const { store } = fresh();
    await store.set('t', 'x', 40);
    expect(await store.get('t')).toBe('x');
    expect(await store.ttl('t')).toBeGreaterThan(0);
    await sleep(80);
    expect(await store.get('t')).toBeNull();
    expect(await store.ttl('t')).toBe(-2);
    await store.set('forever', 'x');
    expect(await store.ttl('forever')).toBe(-1);
  });

  it('setIfAbsent sets once', async () => {
    const { store } = fresh();
    expect(await store.setIfAbsent('k', 'first')).toBe(true);
    expect(await store.setIfAbsent('k', 'second')).toBe(false);
    expect(await store.get('k')).toBe('first');
  });

  it('take hands a value to exactly one of many racing callers', async () => {
    const { store, maker } = fresh();
    // Two clients of one data set where stores are shared (Redis); an embedded store belongs to
    // one process, so its racing callers are that process's.
    const other = maker.shared ? await maker.reopen() : store;
    if (other !== store) open.push(other);
    await store.set('code', 'grant');
    const results = await Promise.all([store.take('code'), other.take('code'), store.take('code'), other.take('code')]);
    expect(results.filter((r) => r === 'grant')).toHaveLength(1);
    expect(await store.get('code')).toBeNull();
  });

  it('counts with a window that starts at the first increment', async () => {
    const { store } = fresh();
    expect(await store.incr('c', 50)).toBe(1);
    expect(await store.incr('c', 50)).toBe(2);
    await sleep(90);
    expect(await store.incr('c', 50)).toBe(1);
  });

  it('keeps hashes, sets and capped lists', async () => {
    const { store } = fresh();
    await store.hset('h', { a: '1', b: '2' });
    await store.hset('h', { b: '3' });
    expect(await store.hgetall('h')).toEqual({ a: '1', b: '3' });
    expect(await store.hget('h', 'a')).toBe('1');
    expect(await store.hmget('h', ['b', 'none', 'a'])).toEqual(['3', null, '1']);
    expect(await store.hmget('none', ['a'])).toEqual([null]);
    await store.hdel('h', 'a');
    expect(await store.hgetall('h')).toEqual({ b: '3' });
    expect(await store.hgetall('none')).toEqual({});

    await store.sadd('s', 'x');
    await store.sadd('s', 'y');
    await store.sadd('s', 'x');
    expect((await store.smembers('s')).sort()).toEqual(['x', 'y']);
    await store.srem('s', 'x');
    expect(await store.smembers('s')).toEqual(['y']);

    for (const v of ['1', '2', '3', '4']) await store.push('l', v, 3);
    expect(await store.tail('l', 10)).toEqual(['2', '3', '4']);
    expect(await store.tail('l', 2)).toEqual(['3', '4']);
    expect(await store.tail('l', 1, 1)).toEqual(['3']);
    expect(await store.tail('l', 5, 1)).toEqual(['2', '3']);
    expect(await store.tail('l', 2, 3)).toEqual([]);
  });

  it('stores bytes', async () => {
    const { store } = fresh();
    const data = new Uint8Array([0, 1, 2, 255, 0]);
    await store.putBytes('f', data);
    expect(Buffer.from((await store.getBytes('f')) ?? [])).toEqual(Buffer.from(data));
    expect(await store.getBytes('nothing')).toBeNull();
  });

  it('survives a restart with everything in it', async () => {
    const { store, maker } = fresh();
    await store.set('s', 'v');
    await store.hset('h', { f: 'v' });
    await store.sadd('z', 'm');
    await store.push('l', 'x', 10);
    await store.putBytes('b', new Uint8Array([7]));
    await store.set('gone', 'v');
    await store.del('gone');
    await store.close();
    open.splice(open.indexOf(store), 1);
    const again = await maker.reopen();
    open.push(again);
    expect(await again.get('s')).toBe('v');
    expect(await again.hgetall('h')).toEqual({ f: 'v' });
    expect(await again.smembers('z')).toEqual(['m']);
    expect(await again.tail('l', 5)).toEqual(['x']);
    expect(Array.from((await again.getBytes('b')) ?? [])).toEqual([7]);
    expect(await again.get('gone')).toBeNull();
  });

  describe('publish and subscribe', () => {
    /** Where to publish from: another connection when the store has more than one. */
    const publisherFor = async (store: Store, maker: Maker): Promise<Store> => {
      if (!maker.shared) return store;
      const other = await maker.reopen();
      open.push(other);
      return other;
    };

    it('delivers every publish, in order, to every subscriber of the channel', async () => {
      const { store, maker } = fresh();
      const pub = await publisherFor(store, maker);
      const [one, two] = [ear(), ear()];
      await store.subscribe('news', one.onMessage);
      await store.subscribe('news', two.onMessage);
      // Not awaited one by one: in flight together, they still arrive in order.
      const sent = [...Array.from({ length: 30 }, (_, i) => `m${i}`), '{"json":"ok"}', 'ü ✓'];
      await Promise.all(sent.map((m) => pub.publish('news', m)));
      await pub.publish('other', 'not news');
      await one.hears('ü ✓');
      await two.hears('ü ✓');
      expect(one.heard).toEqual(sent);
      expect(two.heard).toEqual(one.heard);
    });

    it('keeps namespaces apart: another store’s publish on the same channel is not heard', async () => {
      const { store } = fresh();
      const { store: stranger } = fresh();
      const mine = ear();
      const theirs = ear();
      await store.subscribe('news', mine.onMessage);
      await stranger.subscribe('news', theirs.onMessage);
      await stranger.publish('news', 'theirs');
      await store.publish('news', 'mine');
      await mine.hears('mine');
      await theirs.hears('theirs');
      expect(mine.heard).toEqual(['mine']);
      expect(theirs.heard).toEqual(['theirs']);
    });

    it('stops delivering to a subscription once it unsubscribes, and only to that one', async () => {
      const { store, maker } = fresh();
      const pub = await publisherFor(store, maker);
      const [gone, stays] = [ear(), ear()];
      const leave = await store.subscribe('news', gone.onMessage);
      await store.subscribe('news', stays.onMessage);
      await pub.publish('news', 'before');
      await gone.hears('before');
      await stays.hears('before');
      await leave();
      await leave();
      await pub.publish('news', 'after');
      await stays.hears('after');
      expect(gone.heard).toEqual(['before']);
      // The last one out, then back in: the channel is heard again.
      const again = ear();
      await store.subscribe('news', again.onMessage);
      await pub.publish('news', 'back');
      await again.hears('back');
      expect(again.heard).toEqual(['back']);
    });

    it('stops delivering when the store closes, even what was already on its way', async () => {
      const { store, maker } = fresh();
      const other = maker.shared ? await publisherFor(store, maker) : undefined;
      const closing = ear();
      await store.subscribe('news', closing.onMessage);
      await store.publish('news', 'heard');
      await closing.hears('heard');
      const inFlight = store.publish('news', 'in flight').catch(() => undefined);
      await store.close();
      await inFlight;
      await expect(store.publish('news', 'closed')).rejects.toThrow();
      await expect(store.subscribe('news', () => undefined)).rejects.toThrow();
      if (other) {
        // Another connection still publishes: its witness hears it, the closed store does not.
        const witness = ear();
        await other.subscribe('news', witness.onMessage);
        await other.publish('news', 'after close');
        await witness.hears('after close');
      } else await sleep(20);
      expect(closing.heard).toEqual(['heard']);
    });
  });
});
}
