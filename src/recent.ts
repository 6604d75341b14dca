/**
 * Each room's recent conversation, for the context a room gets when it connects. Only posts
 * the bridge saw are kept, from the moment it first saw the room: a capped list per room (the
 * newest entries only), read back within a time window. Edits and deletes are appended as
 * their own entries and applied on reading, so a deleted message is never shown.
 */
import { keys } from './keys.js';
import { defuseMentions, escapeText } from './markup.js';
import type { RoomKey } from './model.js';
import type { Store } from './store/store.js';

/** Longest excerpt of one message kept, in characters. */
const EXCERPT = 200;
const NAME = 60;

type Entry =
  | { readonly k: 'post'; readonly id: string; readonly ts: number; readonly name: string; readonly text: string }
  | { readonly k: 'edit'; readonly id: string; readonly text: string }
  | { readonly k: 'delete'; readonly id: string };

export interface RecentMessage {
  readonly room: RoomKey;
  readonly ts: number;
  readonly name: string;
  /** plain text, cut to a short excerpt */
  readonly text: string;
}

const cut = (s: string, max: number): string => {
  const chars = [...s.replace(/\s+/g, ' ').trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
};

function parseEntry(raw: string): Entry | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const e = v as Record<string, unknown>;
    if (typeof e.id !== 'string') return null;
    if (e.k === 'post' && typeof e.ts === 'number' && typeof e.name === 'string' && typeof e.text === 'string') {
      return { k: 'post', id: e.id, ts: e.ts, name: e.name, text: e.text };
    }
    if (e.k === 'edit' && typeof e.text === 'string') return { k: 'edit', id: e.id, text: e.text };
    if (e.k === 'delete') return { k: 'delete', id: e.id };
    return null;
  } catch {
    return null;
  }
}

export class RecentMessages {
  /**
   * @param count posts shown per connect (`CONTEXT_ON_CONNECT`); 0 keeps nothing
   * @param maxAgeMs oldest post shown
   */
  constructor(
    private readonly store: Store,
    readonly count: number,
    private readonly maxAgeMs = 24 * 3600_000,
  ) {}

  /** Room for the posts plus the edits and deletes that may follow them. */
  private get capacity(): number {
    return this.count * 3 + 10;
  }

  private async append(room: RoomKey, entry: Entry): Promise<void> {
    if (this.count <= 0) return;
    await this.store.push(keys.recent(room), JSON.stringify(entry), this.capacity);
  }

  post(room: RoomKey, id: string, name: string, plain: string, now = Date.now()): Promise<void> {
    return this.append(room, { k: 'post', id, ts: now, name: cut(name, NAME), text: cut(plain, EXCERPT) });
  }

  edit(room: RoomKey, id: string, plain: string): Promise<void> {
    return this.append(room, { k: 'edit', id, text: cut(plain, EXCERPT) });
  }

  delete(room: RoomKey, id: string): Promise<void> {
    return this.append(room, { k: 'delete', id });
  }

  /** The newest `count` posts of these rooms within the window, oldest first. */
  async of(rooms: readonly RoomKey[], now = Date.now()): Promise<RecentMessage[]> {
    if (this.count <= 0) return [];
    const lists = await Promise.all(rooms.map((r) => this.store.tail(keys.recent(r), this.capacity)));
    const out: RecentMessage[] = [];
    for (const [i, list] of lists.entries()) {
      const room = rooms[i] as RoomKey;
      const posts = new Map<string, RecentMessage>();
      for (const raw of list) {
        const e = parseEntry(raw);
        if (!e) continue;
        if (e.k === 'post') posts.set(e.id, { room, ts: e.ts, name: e.name, text: e.text });
        else if (e.k === 'delete') posts.delete(e.id);
        else {
          const p = posts.get(e.id);
          if (p) posts.set(e.id, { ...p, text: e.text });
        }
      }
      for (const p of posts.values()) if (now - p.ts <= this.maxAgeMs && p.ts <= now) out.push(p);
    }
    return out.sort((x, y) => x.ts - y.ts).slice(-this.count);
  }
}

/**
 * The context message: a header and one line per post (`Ann: hi`), names and text escaped and
 * mass mentions defused. Oldest lines are dropped until it fits `maxLength`; empty when none fit.
 */
export function contextText(header: string, posts: readonly RecentMessage[], maxLength: number): string {
  const lines = posts.map((p) => `${escapeText(defuseMentions(p.name))}: ${escapeText(defuseMentions(p.text))}`);
  while (lines.length > 0) {
    const text = [header, ...lines].join('\n');
    if (text.length <= maxLength) return text;
    lines.shift();
  }
  return '';
}
