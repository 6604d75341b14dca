/** The store contract, the queue and an end-to-end relay on a three-master Redis Cluster. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, connectRedis } from '../../src/store/redis.js';
import { startTestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { TestBot } from '../helpers/test-bot.js';
import { storeContract, type Maker } from './contract.js';

let cluster: RedisCluster | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

function onCluster(): Maker {
  const prefix = `cl${randomBytes(3).toString('hex')}:`;
  const make = (): RedisStore => new RedisStore(connectRedis(cluster!.url), prefix);
  return { make, reopen: async () => make(), shared: true };
}

storeContract('redis cluster', onCluster);

describe('relay on a redis cluster', () => {
  it('pairs, relays in order, edits and deletes with keys spread over three masters', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    const tb = await startTestBridge({ store: 'redis', bots: [a, b], env: { REDIS_URL: cluster!.url } });
    try {
      expect(await link(tb, a, 'x', b, 'y')).toMatch(/now linked/);
      const ids = [];
      for (let i = 0; i < 30; i++) ids.push(await a.says('x', 'Ann', `c${i}`));
      await tb.settle();
      expect(b.lines('y').filter((l) => / c\d+$/.test(l))).toEqual(Array.from({ length: 30 }, (_, i) => `bridge-bot: Ann: c${i}`));
      await a.edits('x', ids[0]!, 'c0 edited');
      await a.deletes('x', ids[1]!);
      await tb.settle();
      expect(b.lines('y')).toContain('bridge-bot: Ann: c0 edited');
      expect(b.lines('y')).not.toContain('bridge-bot: Ann: c1');
    } finally {
      await tb.stop();
    }
  });
});
