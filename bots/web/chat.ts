/**
 * What happens in a web room, whoever causes it (a browser, a relayed copy, the bridge's voice):
 * the record is stored, then the change is announced, and every process tells its browsers in
 * the room (live.ts). Changes to one room made by this process run one at a time, so stored
 * order and the order browsers see are the same.
 */
import { toPlain } from '../../src/markup.js';
import { newMessageId, type MessageRecord, type WebRooms } from './history.js';
import type { LiveEvent } from './live.js';
import type { ServerFrame, WireReply } from './protocol.js';

/** One browser connection, as the hub sees it. */
export interface Peer {
  /** unique across processes (a random UUID): names the sender in a live event */
  readonly id: string;
  send(frame: ServerFrame): void;
}

/** Browser connections by room. */
export class Hub {
  private readonly rooms = new Map<string, Set<Peer>>();

  join(roomId: string, peer: Peer): void {
    const set = this.rooms.get(roomId) ?? new Set<Peer>();
    set.add(peer);
    this.rooms.set(roomId, set);
  }

  leave(roomId: string, peer: Peer): void {
    const set = this.rooms.get(roomId);
    if (!set) return;
    set.delete(peer);
    if (set.size === 0) this.rooms.delete(roomId);
  }

  /** Browsers currently in the room. */
  count(roomId: string): number {
    return this.rooms.get(roomId)?.size ?? 0;
  }

  peers(roomId: string): Iterable<Peer> {
    return this.rooms.get(roomId) ?? [];
  }

  broadcast(roomId: string, frame: ServerFrame): void {
    for (const p of this.peers(roomId)) p.send(frame);
  }
}

export type NewMessage = Omit<MessageRecord, 'id' | 'ts' | 'seq'>;

/** Tells every process's browsers about a stored change (`Live.announce`); never throws. */
export type Announce = (event: LiveEvent) => Promise<void>;

export class WebChat {
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(
    readonly rooms: WebRooms,
    readonly hub: Hub,
    private readonly announce: Announce,
    private readonly now: () => number = Date.now,
  ) {}

  /** Run `fn` after every earlier change of the same room. */
  private serial<T>(roomId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.lanes.get(roomId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.lanes.set(roomId, tail);
    void tail.then(() => {
      if (this.lanes.get(roomId) === tail) this.lanes.delete(roomId);
    });
    return next;
  }

  /**
   * Add a message; the sender (if any) gets its copy with `nonce`, everyone else a plain one.
   * With `id` (derived from a browser's own id for the post), a message stored before under the
   * same id is returned as it is (`fresh` false) and nobody is told again.
   */
  add(roomId: string, m: NewMessage, sender?: { peer: Peer; nonce?: string }, id?: string): Promise<{ rec: MessageRecord; fresh: boolean }> {
    return this.serial(roomId, async () => {
      const added = await this.rooms.append(roomId, { ...m, id: id ?? newMessageId(), ts: this.now() });
      if (added.fresh) {
        await this.announce({ t: 'message', room: roomId, id: added.rec.id, ...(sender ? { sender: sender.peer.id } : {}), ...(sender?.nonce ? { nonce: sender.nonce } : {}) });
      }
      return added;
    });
  }

  /**
   * Change a message: `fn` gets the current record and returns the new one, or null to leave it.
   * Resolves to the new record, or null when there was none (or it is deleted, or `fn` said no).
   */
  change(roomId: string, id: string, fn: (m: MessageRecord) => MessageRecord | null): Promise<MessageRecord | null> {
    return this.serial(roomId, async () => {
      const cur = await this.rooms.message(roomId, id);
      if (!cur || cur.deleted) return null;
      const next = fn(cur);
      if (!next) return null;
      await this.rooms.put(roomId, next);
      await this.announce({ t: next.deleted ? 'delete' : 'update', room: roomId, id });
      return next;
    });
  }

  /** What a reply shows of the message it answers. */
  async replyPreview(roomId: string, id: string): Promise<WireReply | undefined> {
    const m = await this.rooms.message(roomId, id);
    if (!m || m.deleted) return undefined;
    return { id, authorName: m.author.name, excerpt: toPlain(m.text).replace(/\s+/g, ' ').slice(0, 140) || (m.files[0]?.name ?? '') };
  }
}
