/** Per-room settings (`direction`, `format`, name, portal secret), kept in one hash per room. */
import { keys } from './keys.js';
import type { RoomKey } from './model.js';
import type { Store } from './store/store.js';
import type { Tubes } from './tubes.js';

export type Direction = 'in' | 'out' | 'both';
/** How copies from a room show their author where the target cannot post under another name. */
export type AuthorFormat = 'bold' | 'plain' | 'brackets' | 'none';
export const AUTHOR_FORMATS: readonly AuthorFormat[] = ['bold', 'plain', 'brackets', 'none'];

export interface RoomSettings {
  readonly direction: Direction;
  readonly format: AuthorFormat;
  /** human name as its bot last reported it */
  readonly name?: string;
  readonly portal?: string;
  readonly portalAdmin?: string;
  /** the token of the portal's revocable connect link (admin view only) */
  readonly portalConnect?: string;
}

export class Rooms {
  private readonly cache = new Map<RoomKey, RoomSettings>();
  private cacheVersion: string | undefined;

  /** Settings are cached while the topology version stands; `update` bumps it. */
  constructor(
    private readonly store: Store,
    private readonly tubes: Tubes,
  ) {}

  async get(room: RoomKey): Promise<RoomSettings> {
    const version = this.tubes.version;
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const hit = this.cache.get(room);
    if (hit) return hit;
    const settings = await this.load(room);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(room, settings);
    return settings;
  }

  private async load(room: RoomKey): Promise<RoomSettings> {
    const h = await this.store.hgetall(keys.roomSettings(room));
    return {
      direction: h.direction === 'in' || h.direction === 'out' ? h.direction : 'both',
      format: (AUTHOR_FORMATS as readonly string[]).includes(h.format ?? '') ? (h.format as AuthorFormat) : 'bold',
      ...(h.name ? { name: h.name } : {}),
      ...(h.portal ? { portal: h.portal } : {}),
      ...(h.portalAdmin ? { portalAdmin: h.portalAdmin } : {}),
      ...(h.portalConnect ? { portalConnect: h.portalConnect } : {}),
    };
  }

  async update(room: RoomKey, fields: Partial<Record<'direction' | 'format' | 'name' | 'portal' | 'portalAdmin' | 'portalConnect', string>>): Promise<void> {
    const clean = Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (Object.keys(clean).length === 0) return;
    await this.store.hset(keys.roomSettings(room), clean);
    this.cache.delete(room);
    await this.tubes.bump();
  }
}
