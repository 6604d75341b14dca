/**
 * Security log: an append-only record per workspace of who opened, connected and closed, and
 * what was refused or dead-lettered. Kept as a capped list (the newest `max` entries); rooms
 * that said `log on` get each new entry posted to them.
 */
import { keys } from './keys.js';
import type { RoomKey, RoomRef } from './model.js';
import type { Store } from './store/store.js';

export type SecEventType =
  | 'open'
  | 'connect'
  | 'connect_refused'
  | 'rate_limited'
  | 'close'
  | 'disable'
  | 'portal'
  | 'portal_reset'
  | 'dead_letter'
  | 'direction'
  | 'pause'
  | 'resume'
  | 'log';

export interface SecEntry {
  readonly ts: number;
  readonly type: SecEventType;
  readonly room: RoomKey;
  /** who: `platform:userId (name)` */
  readonly actor: string;
  readonly detail: string;
}

/** A workspace is a platform plus its team/guild, or the platform alone. */
export function workspaceOf(ref: RoomRef): string {
  return ref.workspace ? `${ref.platform}:${ref.workspace}` : ref.platform;
}

export class SecurityLog {
  private listener: ((workspace: string, entry: SecEntry, subscribers: RoomKey[]) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly max = 10_000,
  ) {}

  /** Called after each append with the rooms subscribed to that workspace's log. */
  onAppend(fn: (workspace: string, entry: SecEntry, subscribers: RoomKey[]) => void): void {
    this.listener = fn;
  }

  async append(workspace: string, entry: SecEntry): Promise<void> {
    await this.store.push(keys.secLog(workspace), JSON.stringify(entry), this.max);
    if (this.listener) {
      const subs = (await this.store.smembers(keys.secLogSubs(workspace))) as RoomKey[];
      if (subs.length > 0) this.listener(workspace, entry, subs);
    }
  }

  async recent(workspace: string, count = 50): Promise<SecEntry[]> {
    return (await this.store.tail(keys.secLog(workspace), count)).map((s) => JSON.parse(s) as SecEntry);
  }

  async subscribe(workspace: string, room: RoomKey, on: boolean): Promise<void> {
    if (on) await this.store.sadd(keys.secLogSubs(workspace), room);
    else await this.store.srem(keys.secLogSubs(workspace), room);
  }
}

export function formatEntry(e: SecEntry): string {
  return `${new Date(e.ts).toISOString()} ${e.type} ${e.room} by ${e.actor}${e.detail ? `: ${e.detail}` : ''}`;
}
