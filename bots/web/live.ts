/**
 * Live updates across bridge processes. Browsers hold a WebSocket to one process, but a change
 * to a web room (a copy delivered, a browser's post, an edit, a delete) can happen in any of
 * them. So no process tells its browsers directly: every change is published on one store
 * channel (`LIVE_CHANNEL`), and every process — the one that made the change included — hears
 * it and tells the browsers it holds in that room, exactly once each.
 *
 * An event is small JSON naming the change, never the message: the hearer reads the record from
 * the store (written before the publish), and only when it has browsers in that room. Events of
 * one room are handled one at a time, in the order heard. Pub/sub keeps nothing: a process whose
 * subscription is reconnecting misses what is published meanwhile (its browsers see it on reload).
 */
import type { Logger } from 'pino';
import type { Store } from '../../src/store/store.js';
import { keys } from '../../src/keys.js';
import type { Hub } from './chat.js';
import { toWire, type WebRooms } from './history.js';
import { ID_PATTERN, NONCE_PATTERN } from './protocol.js';

/** The web platform's one channel; the store puts it in its namespace. */
export const LIVE_CHANNEL = keys.webLive();
/** Events of another version (a newer process during a rolling upgrade) are ignored. */
const VERSION = 1;

/**
 * One change to a web room. `message`: a new message; the browser connection `sender` (a Peer
 * id) gets its copy with the `nonce` it posted with. `update`: an edit. `delete`: gone.
 */
export type LiveEvent =
  | { readonly t: 'message'; readonly room: string; readonly id: string; readonly sender?: string; readonly nonce?: string }
  | { readonly t: 'update'; readonly room: string; readonly id: string }
  | { readonly t: 'delete'; readonly room: string; readonly id: string };

export function encodeLive(e: LiveEvent): string {
  return JSON.stringify({ v: VERSION, ...e });
}

const isId = (v: unknown): v is string => typeof v === 'string' && ID_PATTERN.test(v);

/** Narrow what came off the channel; null for anything that is not an event of ours. Never throws. */
export function parseLive(raw: string): LiveEvent | null {
  if (raw.length > 1024) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const o = data as Record<string, unknown>;
  if (o.v !== VERSION || !isId(o.room) || !isId(o.id)) return null;
  const { room, id } = o;
  switch (o.t) {
    case 'message': {
      const { sender, nonce } = o;
      if (sender !== undefined && !isId(sender)) return null;
      if (nonce !== undefined && (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce))) return null;
      return { t: 'message', room, id, ...(sender !== undefined ? { sender } : {}), ...(typeof nonce === 'string' ? { nonce } : {}) };
    }
    case 'update':
      return { t: 'update', room, id };
    case 'delete':
      return { t: 'delete', room, id };
    default:
      return null;
  }
}

/** Publishes this process's changes and tells this process's browsers about everyone's. */
export class Live {
  private readonly lanes = new Map<string, Promise<void>>();
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly store: Store,
    private readonly rooms: WebRooms,
    private readonly hub: Hub,
    private readonly log: Logger,
  ) {}

  /** Resolves once subscribed: from then on every change is heard. */
  async start(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = await this.store.subscribe(LIVE_CHANNEL, (raw) => this.heard(raw));
  }

  async stop(): Promise<void> {
    const off = this.unsubscribe;
    this.unsubscribe = undefined;
    await off?.();
  }

  /**
   * Tell every process's browsers. Never throws: the change is already stored, and a caller that
   * failed here would do it again (a delivery retried is a second copy). When the channel is
   * down, at least this process's browsers are told.
   */
  async announce(e: LiveEvent): Promise<void> {
    try {
      await this.store.publish(LIVE_CHANNEL, encodeLive(e));
    } catch (err) {
      this.log.warn({ err, room: e.room }, 'web: live update not published; telling this process’s browsers only');
      this.tell(e);
    }
  }

  private heard(raw: string): void {
    const e = parseLive(raw);
    if (!e) {
      this.log.debug('web: ignored a live event that is not ours');
      return;
    }
    this.tell(e);
  }

  /** Queue `e` behind the room's earlier events, if this process has browsers there. */
  private tell(e: LiveEvent): void {
    if (this.hub.count(e.room) === 0) return;
    const next = (this.lanes.get(e.room) ?? Promise.resolve())
      .then(() => this.deliver(e))
      .catch((err: unknown) => this.log.warn({ err, room: e.room }, 'web: live update not shown'));
    this.lanes.set(e.room, next);
    void next.then(() => {
      if (this.lanes.get(e.room) === next) this.lanes.delete(e.room);
    });
  }

  private async deliver(e: LiveEvent): Promise<void> {
    if (e.t === 'delete') return this.hub.broadcast(e.room, { type: 'delete', id: e.id });
    const rec = await this.rooms.message(e.room, e.id);
    // Deleted since: the delete event follows.
    if (!rec || rec.deleted) return;
    const message = toWire(rec);
    if (e.t === 'update') return this.hub.broadcast(e.room, { type: 'update', message });
    for (const peer of this.hub.peers(e.room)) {
      peer.send({ type: 'message', message, ...(peer.id === e.sender && e.nonce ? { nonce: e.nonce } : {}) });
    }
  }
}
