/**
 * One-time import of the embedded store's earlier format: a journal of JSON lines in
 * DATA_DIR/sameroom.journal (one change per line). At the first start on SQLite the journal is
 * replayed in memory, its live state written in one transaction with a note that it was
 * imported, and the journal moved aside (sameroom.journal.imported). A crash between the commit
 * and the move is harmless: the note stops a second import.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './sqlite.js';

type Value =
  | { t: 's'; v: string; exp?: number | null }
  | { t: 'h'; v: Map<string, string>; exp?: number | null }
  | { t: 'z'; v: Set<string>; exp?: number | null }
  | { t: 'l'; v: string[]; exp?: number | null };

/** One journaled change, as the old store wrote it. */
type Op =
  | ['set', string, string, number?]
  | ['del', string]
  | ['hset', string, Record<string, string>, number?]
  | ['hdel', string, string]
  | ['sadd', string, string]
  | ['srem', string, string]
  | ['push', string, string, number]
  | ['exp', string, number];

function container<T extends 'h' | 'z' | 'l'>(data: Map<string, Value>, key: string, t: T, make: () => Extract<Value, { t: T }>): Extract<Value, { t: T }> {
  const v = data.get(key);
  if (v && v.t === t) return v as Extract<Value, { t: T }>;
  const fresh = make();
  data.set(key, fresh);
  return fresh;
}

function apply(data: Map<string, Value>, op: Op): void {
  switch (op[0]) {
    case 'set':
      data.set(op[1], { t: 's', v: op[2], exp: op[3] ?? null });
      return;
    case 'del':
      data.delete(op[1]);
      return;
    case 'hset': {
      const h = container(data, op[1], 'h', () => ({ t: 'h', v: new Map() }));
      for (const [f, v] of Object.entries(op[2])) h.v.set(f, v);
      if (op[3] !== undefined && op[3] !== null) h.exp = op[3];
      return;
    }
    case 'hdel': {
      const h = data.get(op[1]);
      if (h?.t === 'h' && h.v.delete(op[2]) && h.v.size === 0) data.delete(op[1]);
      return;
    }
    case 'sadd':
      container(data, op[1], 'z', () => ({ t: 'z', v: new Set() })).v.add(op[2]);
      return;
    case 'srem': {
      const s = data.get(op[1]);
      if (s?.t === 'z' && s.v.delete(op[2]) && s.v.size === 0) data.delete(op[1]);
      return;
    }
    case 'push': {
      const l = container(data, op[1], 'l', () => ({ t: 'l', v: [] }));
      l.v.push(op[2]);
      if (l.v.length > op[3]) l.v.splice(0, l.v.length - op[3]);
      return;
    }
    case 'exp': {
      const v = data.get(op[1]);
      if (v) v.exp = op[2];
      return;
    }
  }
}

/** Replay `file`; a torn last line (a crash mid-write) is skipped, as the old store did. */
function replay(file: string): Map<string, Value> {
  const data = new Map<string, Value>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let op: unknown;
    try {
      op = JSON.parse(line);
    } catch {
      continue;
    }
    if (Array.isArray(op) && typeof op[0] === 'string' && typeof op[1] === 'string') apply(data, op as Op);
  }
  return data;
}

/** Import DATA_DIR's old journal into `db`, if there is one; returns how many keys were imported. */
export function importJournal(db: Db, dir: string, fileOf: (key: string) => string, now = Date.now()): number {
  const journal = join(dir, 'sameroom.journal');
  if (!existsSync(journal)) return 0;
  const done = db.prepare("SELECT value FROM meta WHERE name = 'journal_imported'").pluck().get();
  let imported = 0;
  if (done === undefined) {
    const data = replay(journal);
    const kv = db.prepare('INSERT OR REPLACE INTO kv (key, type, value, exp) VALUES (?, ?, ?, ?)');
    const hash = db.prepare('INSERT OR REPLACE INTO hash (key, field, value) VALUES (?, ?, ?)');
    const sets = db.prepare('INSERT OR IGNORE INTO sets (key, member) VALUES (?, ?)');
    const list = db.prepare('INSERT OR REPLACE INTO list (key, seq, value) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const [key, val] of data) {
        const exp = val.exp ?? null;
        if (exp !== null && exp <= now) continue;
        imported++;
        if (val.t === 's') {
          // The old store kept bytes as a file beside a '<file>' marker, at the same path as now.
          if (val.v === '<file>' && existsSync(fileOf(key))) kv.run(key, 'b', null, exp);
          else kv.run(key, 's', val.v, exp);
          continue;
        }
        kv.run(key, val.t, null, exp);
        if (val.t === 'h') for (const [f, v] of val.v) hash.run(key, f, v);
        else if (val.t === 'z') for (const m of val.v) sets.run(key, m);
        else val.v.forEach((item, i) => list.run(key, i + 1, item));
      }
      db.prepare("INSERT INTO meta (name, value) VALUES ('journal_imported', ?)").run(new Date(now).toISOString());
    }).immediate();
  }
  // Synced into the database file before the journal goes: a power cut cannot lose both.
  db.pragma('wal_checkpoint(TRUNCATE)');
  renameSync(journal, `${journal}.imported`);
  return imported;
}
