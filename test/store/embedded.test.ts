/** What the embedded store adds to the contract: the DATA_DIR lock, expiry, schema, import, backup. */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDataDir, restoreDataDir } from '../../src/store/backup.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import { DataDirBusyError } from '../../src/store/lock.js';
import { loadConfig } from '../../src/config.js';
import { MIGRATIONS, dbPath, migrate, openDb, schemaVersion } from '../../src/store/sqlite.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'sr-emb-'));
const open: EmbeddedStore[] = [];
function store(dir: string, opts: ConstructorParameters<typeof EmbeddedStore>[1] = {}): EmbeddedStore {
  const s = new EmbeddedStore(dir, opts);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('the DATA_DIR lock', () => {
  it('refuses a second owner with a clear message until the first closes', async () => {
    const dir = tmp();
    const first = store(dir);
    await first.set('k', 'v');
    let refusal: unknown;
    try {
      new EmbeddedStore(dir, { owner: 'starting this bridge' });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DataDirBusyError);
    expect((refusal as Error).message).toBe(`Another Sameroom process (pid ${process.pid}) is using DATA_DIR ${dir}: stop it before starting this bridge.`);
    await first.close();
    const second = store(dir);
    expect(await second.get('k')).toBe('v');
  });

  it('lets a reader in beside the owner, seeing what the owner acknowledged', async () => {
    const dir = tmp();
    const owner = store(dir);
    await owner.hset('h', { a: '1' });
    const reader = store(dir, { readOnly: true });
    expect(await reader.hgetall('h')).toEqual({ a: '1' });
    await owner.hset('h', { b: '2' });
    expect(await reader.hgetall('h')).toEqual({ a: '1', b: '2' });
    await expect(reader.set('x', 'y')).rejects.toThrow('read-only');
  });
});

describe('durability', () => {
  it('runs in WAL mode and resolves a write only once its commit is synced to disk', async () => {
    const dir = tmp();
    const s = store(dir);
    const db = (s as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');

    const file = join(tmp(), 'g.db');
    const gdb = openDb(file);
    let release: () => void = () => undefined;
    let fail: (err: Error) => void = () => undefined;
    let syncs = 0;
    const tx = new GroupCommit(gdb, () => {
      syncs++;
      return new Promise<void>((resolve, reject) => {
        release = resolve;
        fail = reject;
      });
    });
    let done = false;
    const a = tx.write(() => gdb.prepare("INSERT INTO kv VALUES ('a', 's', '1', NULL)").run()).then(() => (done = true));
    const b = tx.write(() => gdb.prepare("INSERT INTO kv VALUES ('b', 's', '2', NULL)").run());
    await sleep(20);
    // Committed (another connection reads it) but not yet synced: nobody is told it is stored.
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT count(*) FROM kv').pluck().get()).toBe(2);
    expect(done).toBe(false);
    expect(syncs).toBe(1);
    release();
    await Promise.all([a, b]);
    // A failed sync fails its writes: they are never acknowledged.
    const c = tx.write(() => gdb.prepare("INSERT INTO kv VALUES ('c', 's', '3', NULL)").run());
    await sleep(20);
    fail(new Error('EIO'));
    await expect(c).rejects.toThrow('EIO');
    other.close();
    gdb.close();
  });
});

describe('DATA_SYNC', () => {
  it('defaults to fsync, takes os, and refuses anything else', () => {
    expect(loadConfig({}).dataSync).toBe('fsync');
    expect(loadConfig({ DATA_SYNC: 'os' }).dataSync).toBe('os');
    expect(() => loadConfig({ DATA_SYNC: 'sometimes' })).toThrow('DATA_SYNC must be fsync or os, got "sometimes"');
  });

  it('with os, acknowledges a write without waiting for the disk, and keeps it across a reopen', async () => {
    const dir = tmp();
    const s = store(dir, { fsync: false });
    const wal = (s as unknown as { wal: { sync(): Promise<void> } }).wal;
    let synced = 0;
    const real = wal.sync.bind(wal);
    wal.sync = async () => {
      synced++;
      await real();
    };
    await s.set('k', 'v');
    expect(synced).toBe(0);
    await s.close();
    expect(await store(dir).get('k')).toBe('v');
  });
});

describe('expiry', () => {
  it('deletes expired keys and their files through the expiry index', async () => {
    const dir = tmp();
    let now = Date.now();
    const s = store(dir, { now: () => now, sweepMs: 60_000 });
    await s.putBytes('file', new Uint8Array([1, 2, 3]), 1000);
    await s.hset('h', { a: '1' }, 1000);
    await s.set('keep', 'v');
    const file = join(dir, 'files', createHash('sha256').update('file').digest('hex'));
    expect(existsSync(file)).toBe(true);
    const db = new Database(dbPath(dir), { readonly: true });
    const count = (table: string): unknown => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    now += 999;
    s.sweep();
    await s.set('tick', 'x');
    expect(count('kv')).toBe(4);
    now += 1;
    expect(await s.getBytes('file')).toBeNull();
    s.sweep();
    await s.del('tick');
    expect(count('kv')).toBe(1);
    expect(count('hash')).toBe(0);
    expect(existsSync(file)).toBe(false);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT key, type FROM kv WHERE exp <= ? ORDER BY exp LIMIT 500').all(now) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('kv_exp');
    db.close();
  });
});

describe('schema', () => {
  it('runs forward migrations in order and refuses a database from a newer version', () => {
    const file = join(tmp(), 'x.db');
    const db = new Database(file);
    migrate(db, file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.prepare("INSERT INTO kv VALUES ('k', 's', 'v', NULL)").run();
    const next = [...MIGRATIONS, (d: Database.Database) => d.exec("ALTER TABLE kv ADD COLUMN note TEXT DEFAULT 'n'")];
    migrate(db, file, next);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length + 1);
    expect(db.prepare('SELECT value, note FROM kv').get()).toEqual({ value: 'v', note: 'n' });
    db.close();
    expect(() => openDb(file)).toThrow(`has schema version ${MIGRATIONS.length + 1}, newer than this Sameroom knows`);
  });
});

describe('import of the earlier journal format', () => {
  it('imports the live state once, with bytes and expiries, and moves the journal aside', async () => {
    const dir = tmp();
    const now = Date.now();
    const lines = [
      ['set', 'a', '1'],
      ['set', 'a', '2', now + 60_000],
      ['set', 'old', 'x', now - 1],
      ['hset', 'h', { f: 'v', g: 'w' }],
      ['hdel', 'h', 'g'],
      ['sadd', 'z', 'm'],
      ['sadd', 'z', 'n'],
      ['srem', 'z', 'm'],
      ['push', 'l', 'one', 2],
      ['push', 'l', 'two', 2],
      ['push', 'l', 'three', 2],
      ['set', 'bytes', '<file>'],
      ['del', 'gone'],
    ].map((op) => JSON.stringify(op));
    writeFileSync(join(dir, 'sameroom.journal'), `${lines.join('\n')}\n["set","torn"`);
    const files = join(dir, 'files');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(files);
    writeFileSync(join(files, createHash('sha256').update('bytes').digest('hex')), new Uint8Array([9]));

    const s = store(dir);
    expect(await s.get('a')).toBe('2');
    expect(await s.ttl('a')).toBeGreaterThan(50_000);
    expect(await s.get('old')).toBeNull();
    expect(await s.hgetall('h')).toEqual({ f: 'v' });
    expect(await s.smembers('z')).toEqual(['n']);
    expect(await s.tail('l', 5)).toEqual(['two', 'three']);
    expect(Array.from((await s.getBytes('bytes')) ?? [])).toEqual([9]);
    await s.push('l', 'four', 2);
    expect(await s.tail('l', 5)).toEqual(['three', 'four']);
    expect(readdirSync(dir)).toContain('sameroom.journal.imported');
    expect(readdirSync(dir)).not.toContain('sameroom.journal');
    await s.close();

    // A journal put back (or left by a crash before the move) is not imported a second time.
    writeFileSync(join(dir, 'sameroom.journal'), `${JSON.stringify(['push', 'l', 'again', 2])}\n`);
    const again = store(dir);
    expect(await again.tail('l', 5)).toEqual(['three', 'four']);
  });
});

describe('backup and restore', () => {
  it('backs up while the store is written, and restores only with the owner stopped', async () => {
    const dir = tmp();
    const s = store(dir);
    for (let i = 0; i < 200; i++) await s.hset('map', { [`m${i}`]: String(i) });
    const file = join(tmp(), 'backup.db');
    const writing = Promise.all(Array.from({ length: 50 }, (_, i) => s.set(`during${i}`, 'x')));
    backupDataDir(dir, file);
    await writing;
    expect(() => backupDataDir(dir, file)).toThrow('already exists');
    await s.set('after', 'x');

    expect(() => restoreDataDir(dir, file)).toThrow(DataDirBusyError);
    await s.close();
    const kept = restoreDataDir(dir, file);
    expect(kept && existsSync(kept)).toBe(true);
    const back = store(dir);
    expect(Object.keys(await back.hgetall('map'))).toHaveLength(200);
    expect(await back.get('after')).toBeNull();
  });

  it('refuses a file that is not a Sameroom backup, changing nothing', async () => {
    const dir = tmp();
    const s = store(dir);
    await s.set('k', 'v');
    await s.close();
    const junk = join(tmp(), 'junk.db');
    writeFileSync(junk, 'not a database at all, just some text that is long enough to look like a header');
    expect(() => restoreDataDir(dir, junk)).toThrow('is not a readable SQLite database');
    expect(await store(dir).get('k')).toBe('v');
  });
});
