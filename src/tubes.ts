/**
 * Tubes and topology. Tubes form an undirected graph of rooms; a "same room" is a connected
 * component. Components are cached per process and invalidated by a topology version that
 * every tube change bumps, so the relay's hot path costs one GET when nothing changed.
 */
import { customAlphabet } from 'nanoid';
import { keys } from './keys.js';
import type { RoomKey, TubeId } from './model.js';
import type { Store } from './store/store.js';

export interface Tube {
  readonly id: TubeId;
  readonly a: RoomKey;
  readonly b: RoomKey;
  readonly createdAt: number;
  /** who made it: `platform:userId` */
  readonly by: string;
  /** paused: the tube stays but nothing crosses it, in either direction */
  readonly paused: boolean;
}

/** A paused tube at the edge of a same room: messages from `from`'s side do not reach `to`. */
export interface HeldEdge {
  readonly tube: TubeId;
  readonly from: RoomKey;
  readonly to: RoomKey;
}

const tubeId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16) as () => TubeId;

export class Tubes {
  private cache = new Map<RoomKey, { rooms: RoomKey[]; held: HeldEdge[] }>();
  private cacheVersion: string | null = null;

  /** The topology version seen by the last `component()` call (other caches key on it). */
  get version(): string | undefined {
    return this.cacheVersion ?? undefined;
  }

  /** Invalidate every process's caches (tube or room-setting change). */
  async bump(): Promise<void> {
    const done = this.store.incr(keys.topology());
    // A version read issued before the increment must not be shared with later callers (the
    // embedded store settles the increment without leaving the tick).
    this.versionRead = undefined;
    await done;
  }

  constructor(
    private readonly store: Store,
    private readonly maxCached = 10_000,
  ) {}

  /** Link two rooms. Returns null when they are the same room or already linked directly. */
  async create(a: RoomKey, b: RoomKey, by: string, now = Date.now()): Promise<Tube | null> {
    if (a === b) return null;
    const id = tubeId();
    if (!(await this.store.setIfAbsent(keys.pair(a, b), id))) return null;
    const tube: Tube = { id, a, b, createdAt: now, by, paused: false };
    await this.store.hset(keys.tube(id), { a, b, createdAt: String(now), by });
    await this.store.sadd(keys.roomTubes(a), id);
    await this.store.sadd(keys.roomTubes(b), id);
    await this.bump();
    return tube;
  }

  async get(id: TubeId): Promise<Tube | null> {
    const h = await this.store.hgetall(keys.tube(id));
    if (!h.a || !h.b) return null;
    return { id, a: h.a as RoomKey, b: h.b as RoomKey, createdAt: Number(h.createdAt), by: h.by ?? '', paused: h.paused === '1' };
  }

  /**
   * Pause or resume a tube. Returns false when it was already in that state (or is gone). A
   * paused tube counts as absent for routing, so a chain A–B–C paused at A–B splits in two.
   */
  async setPaused(id: TubeId, paused: boolean): Promise<boolean> {
    const tube = await this.get(id);
    if (!tube || tube.paused === paused) return false;
    await this.store.hset(keys.tube(id), { paused: paused ? '1' : '0' });
    await this.bump();
    return true;
  }

  /** Count one message from `from`'s side that a paused tube did not carry. */
  async countHeld(edge: HeldEdge): Promise<void> {
    await this.store.incr(keys.tubeHeld(edge.tube, edge.from));
  }

  /** Messages not carried while paused, from each end's side; the counts are reset. */
  async takeHeld(tube: Tube): Promise<{ fromA: number; fromB: number }> {
    const [a, b] = await Promise.all([this.store.take(keys.tubeHeld(tube.id, tube.a)), this.store.take(keys.tubeHeld(tube.id, tube.b))]);
    return { fromA: Number(a ?? 0) || 0, fromB: Number(b ?? 0) || 0 };
  }

  async remove(id: TubeId): Promise<Tube | null> {
    const tube = await this.get(id);
    if (!tube) return null;
    await this.store.srem(keys.roomTubes(tube.a), id);
    await this.store.srem(keys.roomTubes(tube.b), id);
    await this.store.del(keys.pair(tube.a, tube.b));
    await this.store.del(keys.tube(id));
    await Promise.all([this.store.del(keys.tubeHeld(id, tube.a)), this.store.del(keys.tubeHeld(id, tube.b))]);
    await this.bump();
    return tube;
  }

  /** The room's tubes, oldest first (the numbering `list` and `close <n>` use). */
  async of(room: RoomKey): Promise<Tube[]> {
    const ids = await this.store.smembers(keys.roomTubes(room));
    const tubes = (await Promise.all(ids.map((id) => this.get(id as TubeId)))).filter((t): t is Tube => t !== null);
    return tubes.sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1));
  }

  /**
   * The rooms reachable from `room` over tubes, paused ones included, and every tube among them
   * (for the map and portal, which show paused tubes too).
   */
  async edges(room: RoomKey): Promise<{ rooms: RoomKey[]; tubes: Tube[] }> {
    const { rooms, tubes } = await this.walk(room, true);
    return { rooms, tubes: [...tubes.values()] };
  }

  /** Breadth-first over the room's tubes (`withPaused`: paused ones too). */
  private async walk(room: RoomKey, withPaused: boolean): Promise<{ rooms: RoomKey[]; tubes: Map<TubeId, Tube>; held: HeldEdge[] }> {
    const seen = new Set<RoomKey>([room]);
    const tubes = new Map<TubeId, Tube>();
    const paused: Array<{ tube: Tube; from: RoomKey }> = [];
    let frontier: RoomKey[] = [room];
    while (frontier.length > 0) {
      const next: RoomKey[] = [];
      const lists = await Promise.all(frontier.map((r) => this.of(r)));
      for (const [i, list] of lists.entries()) {
        const from = frontier[i] as RoomKey;
        for (const t of list) {
          tubes.set(t.id, t);
          if (t.paused && !withPaused) {
            paused.push({ tube: t, from });
            continue;
          }
          const other = t.a === from ? t.b : t.a;
          if (!seen.has(other)) {
            seen.add(other);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    // A paused tube holds messages back only where its far end is not reached another way.
    const held = paused
      .map(({ tube, from }) => ({ tube: tube.id, from, to: tube.a === from ? tube.b : tube.a }))
      .filter((e) => !seen.has(e.to));
    return { rooms: [...seen], tubes, held };
  }

  private versionRead: Promise<string | null> | undefined;

  /**
   * The topology version. Callers in the same tick share one read: their reads would have gone
   * out in the same pipeline anyway, so sharing changes nothing but the number of commands.
   * bump() drops the shared read, so nobody gets a version older than the last bump it awaited.
   */
  private readVersion(): Promise<string | null> {
    if (!this.versionRead) {
      this.versionRead = this.store.get(keys.topology());
      process.nextTick(() => (this.versionRead = undefined));
    }
    return this.versionRead;
  }

  /**
   * Paused tubes at the edge of `room`'s same room (far end not reached another way). Read
   * after `component(room)` in the same topology version: served from its cache.
   */
  async held(room: RoomKey): Promise<HeldEdge[]> {
    await this.component(room);
    return this.cache.get(room)?.held ?? (await this.walk(room, false)).held;
  }

  /** All rooms connected to `room` over tubes that are not paused, itself included (first). */
  async component(room: RoomKey): Promise<RoomKey[]> {
    const version = (await this.readVersion()) ?? '0';
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const hit = this.cache.get(room);
    if (hit) return hit.rooms;
    const { rooms, held } = await this.walk(room, false);
    if (this.cache.size >= this.maxCached) this.cache.clear();
    for (const r of rooms) this.cache.set(r, { rooms: rooms[0] === r ? rooms : [r, ...rooms.filter((x) => x !== r)], held });
    return rooms;
  }
}
