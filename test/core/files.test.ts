/** Stored files on both stores: bytes on disk, uploads that expire, a sweep that deletes, byte budgets. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { FileRefused, Files } from '../../src/files.js';
import type { FileLimits } from '../../src/limits.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { RedisStore, connectRedis } from '../../src/store/redis.js';
import type { Store } from '../../src/store/store.js';

const GRACE = 10 * 60_000;

function limits(dir: string, over: Partial<FileLimits> = {}): FileLimits {
  return { dir, maxBytes: 1000, uploadTtlMs: 60, ttlMs: 60_000, roomBudgetBytes: 100_000, addressBudgetBytes: 100_000, budgetWindowMs: 60_000, ...over };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const makers: ReadonlyArray<[string, () => Store]> = [
  ['embedded', () => new EmbeddedStore(mkdtempSync(join(tmpdir(), 'sr-fstore-')))],
  ['redis', () => new RedisStore(connectRedis(inject('redisUrl')), `f${randomBytes(4).toString('hex')}:`)],
];

for (const [kind, make] of makers) {
  describe(`files on the ${kind} store`, () => {
    const setup = (over: Partial<FileLimits> = {}): { files: Files; dir: string; store: Store } => {
      const dir = mkdtempSync(join(tmpdir(), 'sr-files-'));
      const store = make();
      return { files: new Files(store, 'http://x', limits(dir, over)), dir, store };
    };

    it('keeps bytes on disk, not in the store, and serves them back', async () => {
      const { files, dir, store } = setup();
      const f = await files.put('a.txt', 'text/plain', new Uint8Array([1, 2, 3]), { room: 'web:r1' });
      expect(readdirSync(dir)).toEqual([f.id]);
      expect(Buffer.from((await files.read(f.id)) ?? [])).toEqual(Buffer.from([1, 2, 3]));
      expect(await store.getBytes(`file:${f.id}`)).toBeNull();
      await store.close();
    });

    it('lets an upload no message carries expire, and the sweep delete its bytes', async () => {
      const { files, dir, store } = setup();
      const lost = await files.putStream('a.bin', '', Readable.from([Buffer.alloc(10, 1)]), { pending: true });
      const kept = await files.putStream('b.bin', '', Readable.from([Buffer.alloc(10, 2)]), { pending: true });
      expect(await files.claim(kept.id)).toMatchObject({ id: kept.id });
      await sleep(120);
      expect(await files.meta(lost.id)).toBeNull();
      expect(await files.read(lost.id)).toBeNull();
      expect(await files.claim(lost.id)).toBeNull();
      // Bytes younger than the grace period are left alone (their metadata may be on its way).
      expect(await files.sweep()).toBe(0);
      expect(await files.sweep(Date.now() + GRACE + 1000)).toBe(1);
      expect(existsSync(join(dir, lost.id))).toBe(false);
      expect(Buffer.from((await files.read(kept.id)) ?? [])).toEqual(Buffer.alloc(10, 2));
      await store.close();
    });

    it('refuses a stream past the size limit and leaves nothing behind', async () => {
      const { files, dir, store } = setup();
      const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
      await expect(files.putStream('big', '', big, {})).rejects.toMatchObject({ reason: 'too_large' });
      expect(readdirSync(dir)).toEqual([]);
      await store.close();
    });

    it('holds a room and an address to their daily byte budgets, counting only what was stored', async () => {
      const { files, store } = setup({ roomBudgetBytes: 1000, addressBudgetBytes: 1500 });
      const bytes = (n: number): Uint8Array => new Uint8Array(n);
      await files.put('1', '', bytes(600), { room: 'web:a', address: '203.0.113.9' });
      const refused = await files.put('2', '', bytes(600), { room: 'web:a', address: '203.0.113.9' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(FileRefused);
      expect((refused as FileRefused).reason).toBe('room_budget');
      // The refused file was not counted: 400 more still fit the room.
      await files.put('3', '', bytes(400), { room: 'web:a', address: '203.0.113.9' });
      // Another room, same address: the address has 500 left of 1500.
      await expect(files.put('4', '', bytes(600), { room: 'web:b', address: '203.0.113.9' })).rejects.toMatchObject({ reason: 'address_budget' });
      await files.put('5', '', bytes(600), { room: 'web:b', address: '198.51.100.7' });
      await store.close();
    });
  });
}
