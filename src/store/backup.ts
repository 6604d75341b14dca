/**
 * Online backup and restore of the embedded store. A backup is one consistent SQLite file made
 * with `VACUUM INTO` on a read-only connection: it reads through WAL beside a running bridge and
 * never blocks it. A restore needs the bridge stopped (it takes the DATA_DIR lock), checks the
 * file, and keeps the database it replaces beside it.
 */
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { lockDataDir } from './lock.js';
import { dbPath, MIGRATIONS, openDb, schemaVersion } from './sqlite.js';
import Database from 'better-sqlite3';

/** Write a consistent copy of DATA_DIR's database to `file` (which must not exist). */
export function backupDataDir(dir: string, file: string): void {
  if (!existsSync(dbPath(dir))) throw new Error(`There is no database in ${dir} to back up.`);
  if (existsSync(file)) throw new Error(`${file} already exists: choose a new file name.`);
  const db = openDb(dbPath(dir), { readOnly: true });
  try {
    db.prepare('VACUUM INTO ?').run(file);
  } finally {
    db.close();
  }
}

/** Check that `file` is a whole Sameroom database this version can open. */
function checkBackup(file: string): void {
  if (!existsSync(file)) throw new Error(`${file} does not exist.`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new Error(`${file} is damaged (integrity check: ${String(ok)}).`);
    const hasKv = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kv'").pluck().get();
    const v = schemaVersion(db);
    if (v < 1 || hasKv !== 1) throw new Error(`${file} is not a Sameroom backup.`);
    if (v > MIGRATIONS.length) throw new Error(`${file} comes from a newer Sameroom (schema ${v}); restore it with that version.`);
  } catch (err) {
    // SQLite refuses a file that is no database at its first read (SQLITE_NOTADB).
    if (String((err as { code?: unknown }).code).startsWith('SQLITE')) throw new Error(`${file} is not a readable SQLite database.`, { cause: err });
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Replace DATA_DIR's database with the backup `file`. The bridge must be stopped. The database
 * it replaces is kept as sameroom.db.before-restore-<time> (with its -wal), whose name is returned.
 */
export function restoreDataDir(dir: string, file: string, now = new Date()): string | undefined {
  checkBackup(file);
  const unlock = lockDataDir(dir, 'restoring a backup');
  try {
    const live = dbPath(dir);
    let kept: string | undefined;
    if (existsSync(live)) {
      kept = `${live}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['-wal', '-shm']) if (existsSync(live + suffix)) renameSync(live + suffix, kept + suffix);
      renameSync(live, kept);
    }
    copyFileSync(file, `${live}.restoring`);
    renameSync(`${live}.restoring`, live);
    return kept;
  } finally {
    unlock();
  }
}
