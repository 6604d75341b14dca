/** One contract for every store: what the rest of the bridge relies on from a Store. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';

export interface Maker {
  make(): Store;
  /** the same data, as a new process would open it */
  reopen(): Promise<Store>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    const other = await maker.reopen();
    open.push(other);
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
});
}
