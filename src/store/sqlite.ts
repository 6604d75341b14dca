/**
 * The embedded store's database file: how it is opened (WAL, fsync on every commit) and its
 * schema, versioned in `PRAGMA user_version` and brought forward by migrations at start.
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Db = Database.Database;

/** The database inside DATA_DIR. */
export function dbPath(dir: string): string {
  return join(dir, 'sameroom.db');
}

/**
 * Migration n takes the schema from version n to n + 1, inside one transaction with the version
 * bump. Append only: a released migration never changes, a later one amends it.
 */
export type Migration = (db: Db) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: every key has one row in kv (its type and expiry; a string's value); hashes, sets and
  // lists keep their items in their own tables; bytes are files beside the database.
  (db) =>
    db.exec(`
      CREATE TABLE kv (key TEXT PRIMARY KEY, type TEXT NOT NULL, value TEXT, exp INTEGER) WITHOUT ROWID;
      CREATE INDEX kv_exp ON kv (exp) WHERE exp IS NOT NULL;
      CREATE TABLE hash (key TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, field)) WITHOUT ROWID;
      CREATE TABLE sets (key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID;
      CREATE TABLE list (key TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
      CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `),
];

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Bring the schema to the newest version; a database from a newer Sameroom is refused. */
export function migrate(db: Db, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const from = schemaVersion(db);
  if (from > migrations.length) {
    throw new Error(
      `${file} has schema version ${from}, newer than this Sameroom knows (${migrations.length}): run the newer version, or restore a backup made by this one`,
    );
  }
  for (let v = from; v < migrations.length; v++) {
    const step = migrations[v];
    if (!step) continue;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export interface OpenOptions {
  /** no writes at all: the database must exist with the current schema */
  readonly readOnly?: boolean;
  /** how long to wait for another connection's lock, in ms */
  readonly busyTimeoutMs?: number;
}

/**
 * Open (creating when writable) the database. WAL lets other processes read while the bridge
 * writes. `synchronous = NORMAL`: a commit writes the WAL without waiting for the disk, and
 * checkpoints sync the WAL and the database in order; the store itself fsyncs the WAL after
 * each commit, off the event loop, before it acknowledges a write (src/store/group-commit.ts).
 * The page cache is bounded (8 MiB), whatever the data size.
 */
export function openDb(file: string, opts: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: opts.readOnly ?? false, fileMustExist: opts.readOnly ?? false, timeout: opts.busyTimeoutMs ?? 5000 });
  try {
    if (!opts.readOnly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -8000');
    db.pragma('temp_store = MEMORY');
    if (opts.readOnly) {
      const v = schemaVersion(db);
      if (v !== MIGRATIONS.length) {
        throw new Error(`${file} has schema version ${v}, this Sameroom uses ${MIGRATIONS.length}: start the bridge once to bring it forward`);
      }
    } else {
      migrate(db, file);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * fdatasync of the database's WAL on the thread pool: what makes a commit durable under
 * `synchronous = NORMAL`. The file is opened again should SQLite have replaced it.
 */
export function walSyncer(file: string): { sync(): Promise<void>; close(): void } {
  const wal = `${file}-wal`;
  let fd: number | undefined;
  let ino = -1;
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    close,
    async sync() {
      const now = statSync(wal, { throwIfNoEntry: false });
      if (!now) return; // no WAL: every commit is checkpointed into the (synced) database
      if (fd === undefined || now.ino !== ino) {
        close();
        fd = openSync(wal, 'r');
        ino = now.ino;
        // The WAL's directory entry must be durable too, once per file.
        const dirFd = openSync(dirname(wal), 'r');
        try {
          fsyncSync(dirFd);
        } finally {
          closeSync(dirFd);
        }
      }
      const f = fd;
      await new Promise<void>((resolve, reject) => fdatasync(f, (err) => (err ? reject(err) : resolve())));
    },
  };
}
