/**
 * Secret links a room hands out: its portal (until reset) and map links (24 h), and the limit
 * on failed `connect` attempts. Commands and pages use these instead of store keys.
 */
import { nanoid } from 'nanoid';
import { keys } from './keys.js';
import type { RoomKey } from './model.js';
import type { Store } from './store/store.js';

export const MAP_LINK_TTL_MS = 24 * 3600_000;

export class Links {
  constructor(private readonly store: Store) {}

  /** The room a portal secret stands for, or null. */
  async portalRoom(secret: string): Promise<RoomKey | null> {
    return (await this.store.get(keys.portal(secret))) as RoomKey | null;
  }

  /** A new portal secret for `room`. */
  async newPortal(room: RoomKey): Promise<string> {
    const secret = nanoid(24);
    await this.store.set(keys.portal(secret), room);
    return secret;
  }

  /** Retire a portal secret; returns the guest web room made for it, if any (to unlink). */
  async dropPortal(secret: string): Promise<RoomKey | null> {
    await this.store.del(keys.portal(secret));
    return (await this.store.take(keys.portalGuest(secret))) as RoomKey | null;
  }

  /** A map link token for `room`, valid 24 h. */
  async newMapLink(room: RoomKey): Promise<string> {
    const token = nanoid(24);
    await this.store.set(keys.mapLink(token), room, MAP_LINK_TTL_MS);
    return token;
  }

  async mapRoom(token: string): Promise<RoomKey | null> {
    return (await this.store.get(keys.mapLink(token))) as RoomKey | null;
  }
}

/** Failed attempts per scope (a room, a user) in a sliding-from-first-failure window. */
export class Attempts {
  constructor(
    private readonly store: Store,
    private readonly windowMs: number,
    private readonly max: number,
  ) {}

  async fail(scopes: readonly string[]): Promise<void> {
    for (const s of scopes) await this.store.incr(keys.connectFailures(s), this.windowMs);
  }

  /** Minutes until the first blocked scope may try again; 0 when none is blocked. */
  async waitMinutes(scopes: readonly string[]): Promise<number> {
    for (const s of scopes) {
      const key = keys.connectFailures(s);
      if (Number((await this.store.get(key)) ?? 0) >= this.max) return Math.max(1, Math.ceil((await this.store.ttl(key)) / 60_000));
    }
    return 0;
  }
}
