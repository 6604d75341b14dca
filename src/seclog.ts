/**
 * Security log: an append-only record per tenant of who opened, connected and closed, and what
 * was refused or dead-lettered. Kept as a capped list (the newest `max` entries); rooms that
 * said `log on` get each new entry of their tenant posted to them.
 *
 * A tenant is the workspace where a platform has one that its own admins control (Slack team,
 * Discord guild, Teams tenant, Mattermost team, Rocket.Chat server), otherwise the room itself
 * (Telegram, GroupMe, web, IRC, XMPP and Matrix rooms, DMs): see `tenantOf`. A tenant's log
 * holds only its rooms' events, plus the events of the tubes that touch it, written to both
 * ends by the commands (the far end's entry names rooms by their human names, never by key).
 */
import { keys } from './keys.js';
import { roomKey, type RoomKey, type RoomRef } from './model.js';
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
  | 'format'
  | 'refused'
  | 'log';

export interface SecEntry {
  readonly ts: number;
  readonly type: SecEventType;
  /** the room the event happened in: for filtering only, never shown (a web room's key is its secret) */
  readonly room: RoomKey;
  /** the room's human name, as shown */
  readonly label: string;
  /** who: `platform:userId (name)` in the actor's own tenant, a name elsewhere */
  readonly actor: string;
  readonly detail: string;
}

/**
 * The tenant of a room. `workspace` is what the room's bot reports as an admin-controlled
 * workspace (undefined: the room is its own tenant). Rooms of a platform whose bot is not
 * running here are their own tenant: the narrowest choice.
 */
export function tenantOf(ref: RoomRef, workspace: string | undefined): string {
  return workspace ? `ws:${encodeURIComponent(ref.platform)}:${encodeURIComponent(workspace)}` : `room:${roomKey(ref)}`;
}

export class SecurityLog {
  private listener: ((tenant: string, entry: SecEntry, subscribers: RoomKey[]) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly max = 10_000,
  ) {}

  /** Called after each append with the rooms subscribed to that tenant's log. */
  onAppend(fn: (tenant: string, entry: SecEntry, subscribers: RoomKey[]) => void): void {
    this.listener = fn;
  }

  async append(tenant: string, entry: SecEntry): Promise<void> {
    await this.store.push(keys.secLog(tenant), JSON.stringify(entry), this.max);
    if (this.listener) {
      const subs = (await this.store.smembers(keys.secLogSubs(tenant))) as RoomKey[];
      if (subs.length > 0) this.listener(tenant, entry, subs);
    }
  }

  async recent(tenant: string, count = 50): Promise<SecEntry[]> {
    const out: SecEntry[] = [];
    for (const s of await this.store.tail(keys.secLog(tenant), count)) {
      const e = parseEntry(s);
      if (e) out.push(e);
    }
    return out;
  }

  async subscribe(tenant: string, room: RoomKey, on: boolean): Promise<void> {
    if (on) await this.store.sadd(keys.secLogSubs(tenant), room);
    else await this.store.srem(keys.secLogSubs(tenant), room);
  }
}

function parseEntry(s: string): SecEntry | null {
  try {
    const v = JSON.parse(s) as Partial<SecEntry>;
    if (typeof v.ts !== 'number' || typeof v.type !== 'string' || typeof v.room !== 'string') return null;
    return { ts: v.ts, type: v.type, room: v.room, label: typeof v.label === 'string' ? v.label : 'a room', actor: String(v.actor ?? ''), detail: String(v.detail ?? '') };
  } catch {
    return null;
  }
}

/** One line of the log as rooms and pages show it: by the room's name, never its key. */
export function formatEntry(e: SecEntry): string {
  return `${new Date(e.ts).toISOString()} ${e.type} in ${e.label} by ${e.actor}${e.detail ? `: ${e.detail}` : ''}`;
}
