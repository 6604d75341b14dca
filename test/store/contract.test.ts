/** The store contract on both stores. */
import { mkdtempSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describe, expect, it, inject } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { RedisStore, connectRedis } from '../../src/store/redis.js';
import { storeContract, type Maker } from './contract.js';

export function embedded(): Maker {
  const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
  return {
    make: () => new EmbeddedStore(dir),
    reopen: async () => new EmbeddedStore(dir),
    shared: false,
  };
}

export function redis(): Maker {
  const prefix = `c${randomBytes(4).toString('hex')}:`;
  return {
    make: () => new RedisStore(connectRedis(inject('redisUrl')), prefix),
    reopen: async () => new RedisStore(connectRedis(inject('redisUrl')), prefix),
    shared: true,
  };
}

storeContract('embedded', embedded);
storeContract('redis', redis);

describe('redis pub/sub', () => {
  it('subscribes again after the server drops the subscriber connection', async () => {
    const prefix = `ps${randomBytes(4).toString('hex')}:`;
    const store = new RedisStore(connectRedis(inject('redisUrl')), prefix);
    const admin = connectRedis(inject('redisUrl'));
    try {
      const heard: string[] = [];
      await store.subscribe('news', (m) => heard.push(m));
      // The store's own subscriber connection, found by its local address and killed by the server.
      const sub = (store as unknown as { sub: Redis }).sub;
      const { localAddress, localPort } = (sub as unknown as { stream: Socket }).stream;
      let reconnects = 0;
      sub.on('reconnecting', () => reconnects++);
      expect(await admin.call('CLIENT', 'KILL', 'ADDR', `${localAddress}:${localPort}`)).toBe(1);
      // Publishes while it is away are lost (pub/sub keeps nothing); keep publishing until heard.
      const end = Date.now() + 5000;
      for (let n = 0; !heard.some((m) => m.startsWith('after')); n++) {
        if (Date.now() > end) throw new Error('never heard anything after the reconnect');
        await store.publish('news', `after ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(reconnects).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});
