/**
 * Group commit for one SQLite connection: every write made in one turn of the event loop joins
 * one transaction. COMMIT only writes the WAL (`synchronous = NORMAL`); the fsync that makes it
 * durable runs on libuv's thread pool (`sync`), so the event loop never waits on the disk, and
 * the writes of a batch resolve only once it is done. One fsync covers every batch committed
 * before it started. A resolved write survives a crash and a power cut.
 */
import type { Db } from './sqlite.js';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** A refusal checked before anything changed (wrong type, bad argument): the batch is intact. */
export class Refusal extends Error {}

export class GroupCommit {
  /** the open transaction's writers */
  private batch: Waiter[] | undefined;
  /** writers whose transaction is committed, waiting for the next fsync */
  private unsynced: Waiter[] = [];
  private syncing: Promise<void> | undefined;
  /** work to do once the open transaction is committed (files of deleted keys) */
  private after: Array<() => void> = [];
  private readonly begin;
  private readonly end;

  constructor(
    private readonly db: Db,
    private readonly sync: () => Promise<void>,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.end = db.prepare('COMMIT');
  }

  /**
   * Run `fn` inside the open transaction; resolves with its result once that transaction is
   * committed and synced. `fn` must check before it changes anything and throw a Refusal for a
   * bad call; any other throw is the database failing (disk full, I/O), and the batch is rolled back.
   */
  write<T>(fn: () => T): Promise<T> {
    if (!this.batch) {
      this.begin.run();
      this.batch = [];
      setImmediate(() => this.commit());
    }
    const batch = this.batch;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      if (!(err instanceof Refusal)) this.abort(err);
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => batch.push({ resolve: () => resolve(result), reject }));
  }

  /** Once the open transaction is committed (at once when none is open). */
  afterCommit(fn: () => void): void {
    if (this.batch) this.after.push(fn);
    else fn();
  }

  /** Commit now (also done at the end of the turn); the writers resolve after the next fsync. */
  commit(): void {
    const batch = this.batch;
    if (!batch) return;
    try {
      this.end.run();
    } catch (err) {
      this.abort(err);
      return;
    }
    this.batch = undefined;
    for (const fn of this.after.splice(0)) fn();
    this.unsynced.push(...batch);
    void this.flush();
  }

  /** Sync until no committed writer waits; resolves when all are settled. */
  flush(): Promise<void> {
    if (!this.syncing && this.unsynced.length) this.syncing = this.drain();
    return this.syncing ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.unsynced.length) {
      const group = this.unsynced.splice(0);
      try {
        await this.sync();
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.syncing = undefined;
  }

  private abort(err: unknown): void {
    const batch = this.batch ?? [];
    this.batch = undefined;
    this.after = [];
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    for (const w of batch) w.reject(err);
  }
}
