/**
 * The message map: for each bridged message, a group holding the ids of every copy, keyed by
 * room. Any copy's id finds the group, so an edit, delete or reply to any copy reaches all the
 * others. Groups and their index entries expire after `ttlMs` (default 90 days).
 */
import { keys } from './keys.js';
import type { RemoteMessageId, RoomKey } from './model.js';
import type { Store } from './store/store.js';

export interface Group {
  readonly id: string;
  readonly origin: RoomKey;
  /** A short plain excerpt of the original, for quoting replies where a platform has none. */
  readonly excerpt: string;
  readonly authorName: string;
  /** room → ids of the message(s) in that room (origin included) */
  readonly copies: ReadonlyMap<RoomKey, readonly RemoteMessageId[]>;
}

const META = new Set(['_origin', '_excerpt', '_author']);

export class MessageMap {
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 90 * 24 * 3600_000,
  ) {}

  /**
   * Start a group for a message posted in `origin`. The writes are independent and go out
   * together (one round trip); the call resolves once all of them are stored.
   */
  async create(group: string, origin: RoomKey, id: RemoteMessageId, excerpt: string, authorName: string): Promise<string> {
    await Promise.all([
      this.store.hset(
        keys.mapGroup(group),
        { _origin: origin, _excerpt: excerpt.slice(0, 200), _author: authorName, [origin]: JSON.stringify([id]) },
        this.ttlMs,
      ),
      this.store.set(keys.mapIndex(origin, id), group, this.ttlMs),
    ]);
    return group;
  }

  /** Record the copy made in `room` (group and index entries together, one round trip). */
  async addCopy(group: string, room: RoomKey, ids: readonly RemoteMessageId[], partsDone?: number): Promise<void> {
    const fields: Record<string, string> = { [room]: JSON.stringify(ids) };
    if (partsDone !== undefined) fields[`${room}#parts`] = String(partsDone);
    await Promise.all([
      this.store.hset(keys.mapGroup(group), fields, this.ttlMs),
      ...ids.map((id) => this.store.set(keys.mapIndex(room, id), group, this.ttlMs)),
    ]);
  }

  /** The group a message (origin or copy) belongs to. */
  async groupOf(room: RoomKey, id: RemoteMessageId): Promise<string | null> {
    return this.store.get(keys.mapIndex(room, id));
  }

  /** How many parts of a split copy went out to `room` (0 when none). */
  async partsDone(group: string, room: RoomKey): Promise<number> {
    const key = keys.mapGroup(group);
    const [parts, ids] = await this.store.hmget(key, [`${room}#parts`, room]);
    if (parts) return Number(parts);
    return ids ? 1 : 0;
  }

  async copiesIn(group: string, room: RoomKey): Promise<RemoteMessageId[] | null> {
    const v = await this.store.hget(keys.mapGroup(group), room);
    return v ? (JSON.parse(v) as RemoteMessageId[]) : null;
  }

  async get(group: string): Promise<Group | null> {
    const h = await this.store.hgetall(keys.mapGroup(group));
    if (!h._origin) return null;
    const copies = new Map<RoomKey, RemoteMessageId[]>();
    for (const [field, v] of Object.entries(h)) if (!META.has(field) && !field.endsWith('#parts')) copies.set(field as RoomKey, JSON.parse(v) as RemoteMessageId[]);
    return { id: group, origin: h._origin as RoomKey, excerpt: h._excerpt ?? '', authorName: h._author ?? '', copies };
  }

  /** Update the excerpt after an edit of the original. */
  async setExcerpt(group: string, excerpt: string): Promise<void> {
    await this.store.hset(keys.mapGroup(group), { _excerpt: excerpt.slice(0, 200) }, this.ttlMs);
  }
}
