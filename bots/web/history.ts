/**
 * Web rooms in the store: a room record (`keys.webRoom`), the ids of its messages in order
 * (`keys.webHistory`, a list capped at `historyCap`), a counter numbering them (`keys.webSeq`)
 * and one record per message (`keys.webMessage`, kept `messageTtlMs`) that edits and deletes
 * rewrite in place, so the history a browser reads is what people saw.
 *
 * A message's `seq` orders the room and is the cursor of older pages. A message posted with a
 * browser's own id (`cid`) gets an id derived from it, and the record is written only if absent:
 * a post repeated after a lost answer or a restart is stored once.
 */
import { createHash } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { keys } from '../../src/keys.js';
import { escapeText, parse } from '../../src/markup.js';
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
  /** position in the room, from 1 (absent on messages stored before it existed) */
  readonly seq?: number;
  readonly ts: number;
  readonly kind: MessageKind;
  readonly author: WireAuthor;
  readonly text: string;
  readonly files: readonly FileRef[];
  readonly replyTo?: WireReply;
  readonly edited?: boolean;
  readonly deleted?: boolean;
}

/** The id of a message a browser posted under its own id `cid`: the same post always gets the same id. */
export function messageIdFor(roomId: string, authorId: string, cid: string): string {
  return `c${createHash('sha256').update(`${roomId}\n${authorId}\n${cid}`).digest('base64url').slice(0, 22)}`;
}

/** One page of a room's history, oldest first. */
export interface HistoryPage {
  readonly messages: MessageRecord[];
  /** false once the page reaches the room's first kept message */
  readonly more: boolean;
  /** ask for messages before this seq for the next older page */
  readonly cursor?: number;
}

/** Extra ids read around a cursor: processes racing on one room may push slightly out of order. */
const SLACK = 8;
/** Windows read at most for one page (a run of deleted messages ends a page early). */
const MAX_ROUNDS = 5;

export function fileRef(f: StoredFile): FileRef {
  return { id: f.id, name: f.name, mime: f.mime, size: f.size };
}

/** Server path of a stored file (relative, so it works whatever PUBLIC_URL says). */
export function filePath(f: FileRef): string {
  return `/files/${encodeURIComponent(f.id)}/${encodeURIComponent(f.name)}`;
}

const safeAvatar = (url: string | undefined): string | undefined => (url && /^https?:\/\//i.test(url) && url.length <= 2048 ? url : undefined);

/** A bare http(s) or mailto URL, not the target of a `[label](url)` link. */
const BARE_URL = /(?<![\](\\])\b(?:https?:\/\/|mailto:)[^\s<>"`\\]+/gi;
/** Code spans and blocks: left as they are. */
const CODE = /(```[\s\S]*?```|`[^`\n]*`)/;

/**
 * Bare URLs made literal before parsing, so `_` or `*` inside one (`/portal/ab_cd_ef`) is not
 * taken for italics and the page can link the whole URL. A URL already escaped is left alone.
 */
export function literalUrls(text: string): string {
  return text
    .split(CODE)
    .map((part, i) => (i % 2 ? part : part.replace(BARE_URL, (url: string, at: number) => (part[at + url.length] === '\\' ? url : escapeText(url)))))
    .join('');
}

export function toWire(m: MessageRecord): WireMessage {
  const avatarUrl = safeAvatar(m.author.avatarUrl);
  return {
    id: m.id,
    ...(m.seq !== undefined ? { seq: m.seq } : {}),
    ts: m.ts,
    kind: m.kind,
    author: { id: m.author.id, name: m.author.name, ...(avatarUrl ? { avatarUrl } : {}) },
    text: m.text,
    nodes: parse(literalUrls(m.text)),
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

  /**
   * Store a new message at the end of the room's history. Resolves to the stored record, and
   * whether this call stored it (false: a message with this id was stored before).
   */
  async append(roomId: string, m: Omit<MessageRecord, 'seq'>): Promise<{ rec: MessageRecord; fresh: boolean }> {
    const old = await this.message(roomId, m.id);
    if (old) return { rec: old, fresh: false };
    const rec: MessageRecord = { ...m, seq: await this.store.incr(keys.webSeq(roomId)) };
    // Listed first: a crash before the record is written leaves an id readers skip, never a
    // record no page shows. A repeated id in the list is read once.
    await this.store.push(keys.webHistory(roomId), m.id, this.opts.historyCap);
    const fresh = await this.store.setIfAbsent(keys.webMessage(roomId, m.id), JSON.stringify(rec), this.opts.messageTtlMs);
    if (fresh) return { rec, fresh };
    return { rec: (await this.message(roomId, m.id)) ?? rec, fresh: false };
  }

  /** Rewrite a message (edit, delete). */
  async put(roomId: string, m: MessageRecord): Promise<void> {
    await this.store.set(keys.webMessage(roomId, m.id), JSON.stringify(m), this.opts.messageTtlMs);
  }

  /**
   * Up to `count` messages still shown, oldest first: the newest ones, or with `before` those
   * numbered below it. Reads at most a few windows of the list, so a run of deleted messages
   * gives a short (even empty) page with `more` and a `cursor` to go on from.
   */
  async page(roomId: string, count: number, before?: number): Promise<HistoryPage> {
    const last = Number((await this.store.get(keys.webSeq(roomId))) ?? 0);
    let skip = before === undefined ? 0 : Math.max(0, last - before + 1 - SLACK);
    const window = count + SLACK;
    const found = new Map<string, MessageRecord>();
    let more = true;
    let cursor = before;
    for (let round = 0; round < MAX_ROUNDS && found.size < count; round++) {
      const ids = await this.store.tail(keys.webHistory(roomId), window, skip);
      skip += window;
      const records = await Promise.all([...new Set(ids)].map((id) => this.message(roomId, id)));
      for (const m of records) {
        if (!m || (before !== undefined && (m.seq === undefined || m.seq >= before))) continue;
        if (m.seq !== undefined) cursor = Math.min(cursor ?? m.seq, m.seq);
        if (!m.deleted) found.set(m.id, m);
      }
      if (ids.length < window) {
        more = false;
        break;
      }
    }
    // Stored order; messages from before numbering (no seq) are the oldest.
    const sorted = [...found.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    const messages = sorted.slice(-count);
    const oldest = messages[0]?.seq;
    if (sorted.length > count && oldest !== undefined) cursor = oldest;
    // Records gone (past their age) tell no number: go on from the position read to, so a long
    // run of them still moves the cursor (a few messages may come twice; the page shows each once).
    else if (more && last > 0) cursor = Math.max(1, Math.min(cursor ?? Infinity, last - skip + 1 + SLACK));
    more = more || sorted.length > count;
    return { messages, more: more && cursor !== undefined, ...(cursor !== undefined ? { cursor } : {}) };
  }
}
