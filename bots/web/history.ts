/**
 * Web rooms in the store: a room record (`keys.webRoom`), the ids of its newest messages
 * (`keys.webHistory`, a capped list) and one record per message (`keys.webMessage`) that edits
 * and deletes rewrite in place, so the history a browser gets on join is what people saw.
 */
import { customAlphabet } from 'nanoid';
import { keys } from '../../src/keys.js';
import { parse } from '../../src/markup.js';
import type { StoredFile } from '../../src/model.js';
import type { Store } from '../../src/store/store.js';
import type { MessageKind, WireAuthor, WireFile, WireMessage, WireReply } from './protocol.js';

/** ~113 bits: a web room's id is its only secret. */
export const newRoomId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 22);
/** Unique within a room. */
export const newMessageId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);

export interface WebRoom {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

/** A file as a message record keeps it. */
export interface FileRef {
  readonly id: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
}

export interface MessageRecord {
  readonly id: string;
  readonly ts: number;
  readonly kind: MessageKind;
  readonly author: WireAuthor;
  readonly text: string;
  readonly files: readonly FileRef[];
  readonly replyTo?: WireReply;
  readonly edited?: boolean;
  readonly deleted?: boolean;
}

export function fileRef(f: StoredFile): FileRef {
  return { id: f.id, name: f.name, mime: f.mime, size: f.size };
}

/** Server path of a stored file (relative, so it works whatever PUBLIC_URL says). */
export function filePath(f: FileRef): string {
  return `/files/${encodeURIComponent(f.id)}/${encodeURIComponent(f.name)}`;
}

const safeAvatar = (url: string | undefined): string | undefined => (url && /^https?:\/\//i.test(url) && url.length <= 2048 ? url : undefined);

export function toWire(m: MessageRecord): WireMessage {
  const avatarUrl = safeAvatar(m.author.avatarUrl);
  return {
    id: m.id,
    ts: m.ts,
    kind: m.kind,
    author: { id: m.author.id, name: m.author.name, ...(avatarUrl ? { avatarUrl } : {}) },
    text: m.text,
    nodes: parse(m.text),
    files: m.files.map((f): WireFile => ({ name: f.name, mime: f.mime, size: f.size, url: filePath(f) })),
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    ...(m.edited ? { edited: true } : {}),
  };
}

export class WebRooms {
  constructor(
    private readonly store: Store,
    private readonly opts: { readonly historyCap: number; readonly messageTtlMs: number },
  ) {}

  async create(name: string, now = Date.now()): Promise<WebRoom> {
    const room: WebRoom = { id: newRoomId(), name, createdAt: now };
    await this.store.hset(keys.webRoom(room.id), { name, createdAt: String(now) });
    return room;
  }

  async get(id: string): Promise<WebRoom | null> {
    const h = await this.store.hgetall(keys.webRoom(id));
    if (h.name === undefined) return null;
    return { id, name: h.name, createdAt: Number(h.createdAt ?? 0) };
  }

  async message(roomId: string, id: string): Promise<MessageRecord | null> {
    const raw = await this.store.get(keys.webMessage(roomId, id));
    return raw ? (JSON.parse(raw) as MessageRecord) : null;
  }

  /** Store a new message and put it at the end of the room's history. */
  async append(roomId: string, m: MessageRecord): Promise<void> {
    await this.put(roomId, m);
    await this.store.push(keys.webHistory(roomId), m.id, this.opts.historyCap);
  }

  /** Rewrite a message (edit, delete). */
  async put(roomId: string, m: MessageRecord): Promise<void> {
    await this.store.set(keys.webMessage(roomId, m.id), JSON.stringify(m), this.opts.messageTtlMs);
  }

  /** The newest `count` messages still shown, oldest first. */
  async recent(roomId: string, count: number): Promise<MessageRecord[]> {
    const ids = await this.store.tail(keys.webHistory(roomId), count);
    const records = await Promise.all(ids.map((id) => this.message(roomId, id)));
    return records.filter((m): m is MessageRecord => m !== null && !m.deleted);
  }
}
