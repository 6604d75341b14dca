/**
 * Embedded store: no server. State lives in memory and every change is appended to a journal
 * in DATA_DIR (one JSON line per change, written synchronously), so a restart — or a crash —
 * loses nothing. The journal is compacted into a snapshot when it grows. File bytes are kept as
 * files under DATA_DIR/files. One process at a time owns a data dir, so publish/subscribe is
 * in-process fan-out within one store.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Fanout } from './fanout.js';
import type { Store } from './store.js';

type Value =
  | { t: 's'; v: string; exp?: number }
  | { t: 'h'; v: Map<string, string>; exp?: number }
  | { t: 'z'; v: Set<string>; exp?: number }
  | { t: 'l'; v: string[]; exp?: number };

/** One journaled change; replaying them in order rebuilds the state. */
type Op =
  | ['set', string, string, number?]
  | ['del', string]
  | ['hset', string, Record<string, string>, number?]
  | ['hdel', string, string]
  | ['sadd', string, string]
  | ['srem', string, string]
  | ['push', string, string, number]
  | ['exp', string, number];

const COMPACT_AFTER = 50_000;

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly data = new Map<string, Value>();
  private readonly journal: string;
  private readonly filesDir: string;
  private journalLines = 0;
  /** lines the last compaction wrote: the journal is compacted again once it has doubled */
  private compactedLines = 0;
  private closed = false;
  private readonly fanout = new Fanout();

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true });
    this.filesDir = join(dir, 'files');
    mkdirSync(this.filesDir, { recursive: true });
    this.journal = join(dir, 'sameroom.journal');
    this.load();
  }

  private load(): void {
    if (!existsSync(this.journal)) return;
    const text = readFileSync(this.journal, 'utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        this.apply(JSON.parse(line) as Op);
        this.journalLines++;
      } catch {
        // A torn last line from a crash mid-write: everything before it is intact.
      }
    }
    if (this.journalLines > COMPACT_AFTER) this.compact();
  }

  private write(op: Op): void {
    if (this.closed) throw new Error('store is closed');
    appendFileSync(this.journal, `${JSON.stringify(op)}\n`);
    this.apply(op);
    // Relative to the live state: with more live keys than the fixed threshold, compacting at
    // the threshold would rewrite the whole state on every write.
    if (++this.journalLines > Math.max(COMPACT_AFTER * 2, this.compactedLines * 2)) this.compact();
  }

  /** Rewrite the journal as the smallest list of ops that rebuilds the current state. */
  compact(): void {
    const ops: Op[] = [];
    for (const [key, val] of this.data) {
      if (val.exp !== undefined && val.exp <= this.now()) continue;
      if (val.t === 's') ops.push(['set', key, val.v, val.exp]);
      else if (val.t === 'h') ops.push(['hset', key, Object.fromEntries(val.v), val.exp]);
      else if (val.t === 'z') for (const m of val.v) ops.push(['sadd', key, m]);
      else for (const item of val.v) ops.push(['push', key, item, val.v.length]);
      if (val.t !== 's' && val.t !== 'h' && val.exp !== undefined) ops.push(['exp', key, val.exp]);
    }
    const tmp = `${this.journal}.tmp`;
    writeFileSync(tmp, ops.map((o) => `${JSON.stringify(o)}\n`).join(''));
    renameSync(tmp, this.journal);
    this.journalLines = ops.length;
    this.compactedLines = ops.length;
  }

  private apply(op: Op): void {
    switch (op[0]) {
      case 'set':
        this.data.set(op[1], op[3] === undefined || op[3] === null ? { t: 's', v: op[2] } : { t: 's', v: op[2], exp: op[3] });
        return;
      case 'del':
        this.data.delete(op[1]);
        return;
      case 'hset': {
        const h = this.live(op[1], 'h') ?? { t: 'h' as const, v: new Map<string, string>() };
        for (const [f, v] of Object.entries(op[2])) h.v.set(f, v);
        if (op[3] !== undefined && op[3] !== null) h.exp = op[3];
        this.data.set(op[1], h);
        return;
      }
      case 'hdel': {
        const h = this.live(op[1], 'h');
        h?.v.delete(op[2]);
        if (h && h.v.size === 0) this.data.delete(op[1]);
        return;
      }
      case 'sadd': {
        const s = this.live(op[1], 'z') ?? { t: 'z' as const, v: new Set<string>() };
        s.v.add(op[2]);
        this.data.set(op[1], s);
        return;
      }
      case 'srem': {
        const s = this.live(op[1], 'z');
        s?.v.delete(op[2]);
        if (s && s.v.size === 0) this.data.delete(op[1]);
        return;
      }
      case 'push': {
        const l = this.live(op[1], 'l') ?? { t: 'l' as const, v: [] };
        l.v.push(op[2]);
        if (l.v.length > op[3]) l.v.splice(0, l.v.length - op[3]);
        this.data.set(op[1], l);
        return;
      }
      case 'exp': {
        const v = this.data.get(op[1]);
        if (v) v.exp = op[2];
        return;
      }
    }
  }

  private live<T extends Value['t']>(key: string, t: T): Extract<Value, { t: T }> | undefined {
    const v = this.data.get(key);
    if (!v) return undefined;
    if (v.exp !== undefined && v.exp <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    if (v.t !== t) throw new Error(`WRONGTYPE: ${key} holds a ${v.t}, not a ${t}`);
    return v as Extract<Value, { t: T }>;
  }

  private exists(key: string): boolean {
    const v = this.data.get(key);
    if (!v) return false;
    if (v.exp !== undefined && v.exp <= this.now()) {
      this.data.delete(key);
      return false;
    }
    return true;
  }

  private exp(ttlMs?: number): number | undefined {
    return ttlMs ? this.now() + ttlMs : undefined;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key, 's')?.v ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.write(['set', key, value, this.exp(ttlMs)]);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    if (this.exists(key)) return false;
    this.write(['set', key, value, this.exp(ttlMs)]);
    return true;
  }

  async take(key: string): Promise<string | null> {
    const v = this.live(key, 's')?.v ?? null;
    if (v !== null) this.write(['del', key]);
    return v;
  }

  async del(key: string): Promise<void> {
    if (this.data.has(key)) this.write(['del', key]);
    const file = this.filePath(key);
    if (existsSync(file)) await unlink(file).catch(() => undefined);
  }

  async incr(key: string, ttlMs?: number, by = 1): Promise<number> {
    const cur = this.live(key, 's');
    const next = (cur ? Number(cur.v) : 0) + Math.trunc(by);
    this.write(['set', key, String(next), cur ? cur.exp : this.exp(ttlMs)]);
    return next;
  }

  async ttl(key: string): Promise<number> {
    if (!this.exists(key)) return -2;
    const exp = this.data.get(key)?.exp;
    return exp === undefined ? -1 : exp - this.now();
  }

  async hget(key: string, field: string): Promise<string | null> {
    return this.live(key, 'h')?.v.get(field) ?? null;
  }

  async hmget(key: string, fields: readonly string[]): Promise<Array<string | null>> {
    const h = this.live(key, 'h');
    return fields.map((f) => h?.v.get(f) ?? null);
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, ttlMs?: number): Promise<void> {
    this.write(['hset', key, { ...fields }, this.exp(ttlMs)]);
  }

  async hdel(key: string, field: string): Promise<void> {
    if (this.live(key, 'h')?.v.has(field)) this.write(['hdel', key, field]);
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    const h = this.live(key, 'h');
    return h ? Object.fromEntries(h.v) : {};
  }

  async sadd(key: string, member: string): Promise<void> {
    if (!this.live(key, 'z')?.v.has(member)) this.write(['sadd', key, member]);
  }

  async srem(key: string, member: string): Promise<void> {
    if (this.live(key, 'z')?.v.has(member)) this.write(['srem', key, member]);
  }

  async smembers(key: string): Promise<string[]> {
    return [...(this.live(key, 'z')?.v ?? [])];
  }

  async push(key: string, value: string, max: number): Promise<void> {
    this.write(['push', key, value, max]);
  }

  async tail(key: string, count: number): Promise<string[]> {
    const l = this.live(key, 'l')?.v ?? [];
    return l.slice(Math.max(0, l.length - count));
  }

  private filePath(key: string): string {
    return join(this.filesDir, createHash('sha256').update(key).digest('hex'));
  }

  async putBytes(key: string, data: Uint8Array, ttlMs?: number): Promise<void> {
    await writeFile(this.filePath(key), data);
    this.write(['set', key, '<file>', this.exp(ttlMs)]);
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    if (!this.live(key, 's')) return null;
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
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.fanout.close();
    this.compact();
    this.closed = true;
  }

  /** Remove a data dir entirely (tests). */
  static destroy(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
