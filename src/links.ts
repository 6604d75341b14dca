/**
 * Secret links a room hands out: its portal (until reset), the portal's revocable connect link
 * (shown in the admin view only) and map links (24 h). Commands and pages use these instead of
 * store keys. The limit on failed `connect` attempts is src/lockout.ts.
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

  /** The room a portal connect-link token stands for, or null (replaced tokens are gone). */
  async connectRoom(token: string): Promise<RoomKey | null> {
    return (await this.store.get(keys.portalConnect(token))) as RoomKey | null;
  }

  /** A new connect-link token for `room`; `old`, the one it replaces, stops working. */
  async newConnectLink(room: RoomKey, old: string | undefined): Promise<string> {
    if (old) await this.store.del(keys.portalConnect(old));
    const token = nanoid(24);
    await this.store.set(keys.portalConnect(token), room);
    return token;
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
