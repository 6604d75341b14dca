/**
 * Embedded store: no server, one SQLite database in DATA_DIR (src/store/sqlite.ts), owned by one
 * process at a time (src/store/lock.ts). Memory stays bounded whatever the history size: the
 * data lives in the file, the process keeps an 8 MiB page cache.
 *
 * Writes are group-committed: every write made in one turn of the event loop joins one
 * transaction, committed (and fsynced) before any of them resolves. So a resolved write
 * survives a crash or a power cut, at one fsync per turn rather than per write. Reads see
 * writes at once.
 *
 * Expired keys are invisible at once and deleted by a sweep through the expiry index. File
 * bytes are files under DATA_DIR/files, deleted with their key.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { Fanout } from './fanout.js';
import { GroupCommit, Refusal } from './group-commit.js';
import { importJournal } from './journal-import.js';
import { lockDataDir } from './lock.js';
import { dbPath, openDb, walSyncer, type Db } from './sqlite.js';
import type { Store } from './store.js';

type KeyType = 's' | 'h' | 'z' | 'l' | 'b';
interface Row {
  type: KeyType;
  value: string | null;
  exp: number | null;
}

export interface EmbeddedOptions {
  readonly now?: () => number;
  /** Open without the lock and never write: for reading while the bridge runs (`npm run dlq`). */
  readonly readOnly?: boolean;
  /** what the lock is taken for, ending the refusal ("stop it before …") */
  readonly owner?: string;
  /** Acknowledge a write once its WAL is fsynced (default), or once committed (`false`: the OS flushes it). */
  readonly fsync?: boolean;
  /** how often expired keys are swept (ms) */
  readonly sweepMs?: number;
}

const SWEEP_BATCH = 500;
const TYPE_NAMES: Record<KeyType, string> = { s: 'string', h: 'hash', z: 'set', l: 'list', b: 'bytes' };

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly db: Db;
  private readonly filesDir: string;
  private readonly now: () => number;
  private readonly unlock: () => void;
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private readonly fanout = new Fanout();
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly tx: GroupCommit | undefined;
  private readonly wal: ReturnType<typeof walSyncer>;
  private closed = false;

  constructor(dir: string, opts: EmbeddedOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.filesDir = join(dir, 'files');
    if (opts.readOnly) {
      this.unlock = () => undefined;
      this.db = openDb(dbPath(dir), { readOnly: true });
      this.tx = undefined;
      this.wal = { sync: async () => undefined, close: () => undefined };
      return;
    }
    mkdirSync(this.filesDir, { recursive: true });
    this.unlock = lockDataDir(dir, opts.owner);
    try {
      this.db = openDb(dbPath(dir), { busyTimeoutMs: 0 });
      importJournal(this.db, dir, (key) => this.filePath(key));
      this.wal = walSyncer(dbPath(dir));
      this.tx = new GroupCommit(this.db, opts.fsync === false ? async () => undefined : () => this.wal.sync());
    } catch (err) {
      this.unlock();
      throw err;
    }
    this.sweeper = setInterval(() => this.sweep(), opts.sweepMs ?? 1000);
    this.sweeper.unref();
  }

  private st(sql: string): Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** The key's row if it exists and has not expired. */
  private row(key: string): Row | undefined {
    const r = this.st('SELECT type, value, exp FROM kv WHERE key = ?').get(key) as Row | undefined;
    return r && (r.exp === null || r.exp > this.now()) ? r : undefined;
  }

  /** The live row of a key that must hold `type` (or nothing). */
  private typed(key: string, type: KeyType): Row | undefined {
    const r = this.row(key);
    if (r && r.type !== type) throw new Refusal(`WRONGTYPE: ${key} holds a ${TYPE_NAMES[r.type]}, not a ${TYPE_NAMES[type]}`);
    return r;
  }

  private expAt(ttlMs?: number): number | null {
    return ttlMs ? this.now() + ttlMs : null;
  }

  /** A write in the current group transaction: resolves once it is durable. */
  private write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (!this.tx) return Promise.reject(new Error('store is open read-only'));
    return this.tx.write(fn);
  }

  /** Remove a key and everything it holds (inside a write). */
  private drop(key: string, type: KeyType): void {
    this.st('DELETE FROM kv WHERE key = ?').run(key);
    if (type === 'h') this.st('DELETE FROM hash WHERE key = ?').run(key);
    else if (type === 'z') this.st('DELETE FROM sets WHERE key = ?').run(key);
    else if (type === 'l') this.st('DELETE FROM list WHERE key = ?').run(key);
    else if (type === 'b') {
      const file = this.filePath(key);
      this.tx?.afterCommit(() => rmSync(file, { force: true }));
    }
  }

  /** Any row of `key`, live or expired (inside a write). */
  private anyRow(key: string): Row | undefined {
    return this.st('SELECT type, value, exp FROM kv WHERE key = ?').get(key) as Row | undefined;
  }

  /** A container key (hash, set, list) ready to take items: created, or reset when expired. */
  private container(key: string, type: KeyType): Row | undefined {
    const live = this.typed(key, type);
    if (live) return live;
    const stale = this.anyRow(key);
    if (stale) this.drop(key, stale.type);
    this.st('INSERT INTO kv (key, type, value, exp) VALUES (?, ?, NULL, NULL)').run(key, type);
    return undefined;
  }

  /** Delete up to SWEEP_BATCH expired keys at a time through the expiry index, for at most ~20 ms. */
  sweep(): void {
    if (this.closed || !this.tx) return;
    const end = performance.now() + 20;
    for (;;) {
      const expired = this.st('SELECT key, type FROM kv WHERE exp <= ? ORDER BY exp LIMIT ?').all(this.now(), SWEEP_BATCH) as Array<{ key: string; type: KeyType }>;
      if (expired.length === 0) return;
      this.write(() => {
        for (const e of expired) this.drop(e.key, e.type);
      }).catch(() => undefined);
      if (expired.length < SWEEP_BATCH || performance.now() > end) return;
    }
  }

  async get(key: string): Promise<string | null> {
    return this.typed(key, 's')?.value ?? null;
  }

  private setNow(key: string, value: string, exp: number | null): void {
    const old = this.anyRow(key);
    if (old && old.type !== 's') this.drop(key, old.type);
    this.st('INSERT INTO kv (key, type, value, exp) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET type = excluded.type, value = excluded.value, exp = excluded.exp').run(key, 's', value, exp);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.write(() => this.setNow(key, value, this.expAt(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    return this.write(() => {
      if (this.row(key)) return false;
      this.setNow(key, value, this.expAt(ttlMs));
      return true;
    });
  }

  async take(key: string): Promise<string | null> {
    return this.write(() => {
      const r = this.typed(key, 's');
      if (r) this.drop(key, 's');
      return r?.value ?? null;
    });
  }

  async del(key: string): Promise<void> {
    const r = this.anyRow(key);
    if (r) await this.write(() => this.drop(key, r.type));
  }

  async incr(key: string, ttlMs?: number): Promise<number> {
    return this.write(() => {
      const cur = this.typed(key, 's');
      const next = (cur ? Number(cur.value) : 0) + 1;
      this.setNow(key, String(next), cur ? cur.exp : this.expAt(ttlMs));
      return next;
    });
  }

  async ttl(key: string): Promise<number> {
    const r = this.row(key);
    if (!r) return -2;
    return r.exp === null ? -1 : r.exp - this.now();
  }

  async hget(key: string, field: string): Promise<string | null> {
    if (!this.typed(key, 'h')) return null;
    return (this.st('SELECT value FROM hash WHERE key = ? AND field = ?').pluck().get(key, field) as string | undefined) ?? null;
  }

  async hmget(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    if (!this.typed(key, 'h')) return fields.map(() => null);
    const get = this.st('SELECT value FROM hash WHERE key = ? AND field = ?').pluck();
    return fields.map((f) => (get.get(key, f) as string | undefined) ?? null);
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, ttlMs?: number): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    await this.write(() => {
      this.container(key, 'h');
      const put = this.st('INSERT INTO hash (key, field, value) VALUES (?, ?, ?) ON CONFLICT (key, field) DO UPDATE SET value = excluded.value');
      for (const [f, v] of entries) put.run(key, f, v);
      if (ttlMs) this.st('UPDATE kv SET exp = ? WHERE key = ?').run(this.expAt(ttlMs), key);
    });
  }

  async hdel(key: string, field: string): Promise<void> {
    if (!this.typed(key, 'h')) return;
    await this.write(() => {
      this.st('DELETE FROM hash WHERE key = ? AND field = ?').run(key, field);
      if (!this.st('SELECT 1 FROM hash WHERE key = ? LIMIT 1').get(key)) this.drop(key, 'h');
    });
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    if (!this.typed(key, 'h')) return {};
    const rows = this.st('SELECT field, value FROM hash WHERE key = ?').raw().all(key) as Array<[string, string]>;
    return Object.fromEntries(rows);
  }

  async sadd(key: string, member: string): Promise<void> {
    await this.write(() => {
      this.container(key, 'z');
      this.st('INSERT OR IGNORE INTO sets (key, member) VALUES (?, ?)').run(key, member);
    });
  }

  async srem(key: string, member: string): Promise<void> {
    if (!this.typed(key, 'z')) return;
    await this.write(() => {
      this.st('DELETE FROM sets WHERE key = ? AND member = ?').run(key, member);
      if (!this.st('SELECT 1 FROM sets WHERE key = ? LIMIT 1').get(key)) this.drop(key, 'z');
    });
  }

  async smembers(key: string): Promise<string[]> {
    if (!this.typed(key, 'z')) return [];
    return this.st('SELECT member FROM sets WHERE key = ?').pluck().all(key) as string[];
  }

  async push(key: string, value: string, max: number): Promise<void> {
    await this.write(() => {
      this.container(key, 'l');
      const last = (this.st('SELECT max(seq) FROM list WHERE key = ?').pluck().get(key) as number | null) ?? 0;
      this.st('INSERT INTO list (key, seq, value) VALUES (?, ?, ?)').run(key, last + 1, value);
      this.st('DELETE FROM list WHERE key = ? AND seq <= ?').run(key, last + 1 - Math.max(1, max));
    });
  }

  async tail(key: string, count: number, skip = 0): Promise<string[]> {
    if (!this.typed(key, 'l') || count <= 0) return [];
    const newest = this.st('SELECT value FROM list WHERE key = ? ORDER BY seq DESC LIMIT ? OFFSET ?').pluck().all(key, count, Math.max(0, skip)) as string[];
    return newest.reverse();
  }

  private filePath(key: string): string {
    return join(this.filesDir, createHash('sha256').update(key).digest('hex'));
  }

  async putBytes(key: string, data: Uint8Array, ttlMs?: number): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    const file = this.filePath(key);
    // Whole or not at all: a crash mid-write leaves a stray temporary file, never torn bytes.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    await this.write(() => {
      const old = this.anyRow(key);
      if (old && old.type !== 'b') this.drop(key, old.type);
      this.st('INSERT INTO kv (key, type, value, exp) VALUES (?, ?, NULL, ?) ON CONFLICT (key) DO UPDATE SET type = excluded.type, value = NULL, exp = excluded.exp').run(key, 'b', this.expAt(ttlMs));
    });
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    if (!this.typed(key, 'b')) return null;
    return readFile(this.filePath(key)).catch(() => null);
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    this.fanout.publish(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('store is closed');
    return this.fanout.subscribe(channel, onMessage);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    this.st('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.sweeper);
    this.tx?.commit();
    this.closed = true;
    this.fanout.close();
    await this.tx?.flush();
    this.wal.close();
    this.db.close();
    this.unlock();
  }

  /** Remove a data dir entirely (tests). */
  static destroy(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
