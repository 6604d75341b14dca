/**
 * One process at a time owns a DATA_DIR. The lock is SQLite's own file lock on
 * DATA_DIR/sameroom.lock, held for the life of the connection (exclusive locking mode): the
 * kernel drops it when the process ends, however it ends, so a crash never leaves a stale lock.
 * DATA_DIR/sameroom.pid only names the holder in the refusal.
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** The pid the holder wrote, if it says one. */
function holder(dir: string): string {
  try {
    const pid = readFileSync(join(dir, 'sameroom.pid'), 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : '';
  } catch {
    return '';
  }
}

/** Take DATA_DIR or throw DataDirBusyError (`what` ends its message); the returned function lets it go. */
export function lockDataDir(dir: string, what = 'opening it'): () => void {
  const db = new Database(join(dir, 'sameroom.lock'), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; exclusive locking mode keeps it until close.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (since INTEGER); DELETE FROM held; INSERT INTO held VALUES (unixepoch()); COMMIT;');
  } catch (err) {
    db.close();
    if (!isBusy(err)) throw err;
    throw new DataDirBusyError(
      `Another Sameroom process${holder(dir)} is using DATA_DIR ${dir}: stop it before ${what}.`,
    );
  }
  const pidFile = join(dir, 'sameroom.pid');
  writeFileSync(pidFile, `${process.pid}\n`);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    rmSync(pidFile, { force: true });
    db.close();
  };
}
