/**
 * The web platform's wire protocol: JSON text frames over one WebSocket per browser tab.
 *
 *   browser → server   hello (join a room under a name) · post · edit · delete · older · ping
 *   server → browser   welcome (room, you, newest page of history, limits) · message · update
 *                      · delete · history (an older page) · error · pong
 *
 * A browser keeps unsent posts in an outbox and sends them again after a reconnect: a post with
 * a `cid` (the browser's random id for it) is stored once however often it arrives, and the
 * sender gets it back (with its `nonce`) each time. History comes in pages: `welcome` has the
 * newest, `older {before}` asks for the page below the cursor the previous page gave.
 *
 * Every inbound frame is untrusted: `parseClientFrame` checks size, JSON, shape and limits, and
 * answers anything else with an error code instead of throwing. Message text is canonical markup
 * (src/markup.ts); outbound messages also carry it parsed (`nodes`), so the browser builds DOM
 * nodes from a tree and never parses or injects HTML.
 */
import type { Node } from '../../src/markup.js';

export type ErrorCode =
  | 'bad_frame'
  | 'too_large'
  | 'rate_limited'
  | 'busy'
  | 'not_joined'
  | 'already_joined'
  | 'no_room'
  | 'bad_name'
  | 'too_long'
  | 'empty'
  | 'not_yours'
  | 'no_message'
  | 'bad_file'
  | 'unavailable';

export type ClientFrame =
  /** `key` is a random secret the browser keeps: the author id is derived from it, so only its holder can edit or delete. */
  | { readonly type: 'hello'; readonly room: string; readonly name: string; readonly key: string }
  /**
   * `files`: ids returned by `POST /r/<id>/files`; `nonce` comes back on the sender's copy of the
   * message (and on an error about it); `cid` makes a repeated post a no-op (and is the nonce
   * when there is none).
   */
  | { readonly type: 'post'; readonly text: string; readonly replyTo?: string; readonly files?: readonly string[]; readonly nonce?: string; readonly cid?: string }
  | { readonly type: 'edit'; readonly id: string; readonly text: string }
  | { readonly type: 'delete'; readonly id: string }
  /** the page of history before `before` (a cursor from `welcome` or `history`) */
  | { readonly type: 'older'; readonly before: number }
  | { readonly type: 'ping' };

export interface WireAuthor {
  readonly id: string;
  readonly name: string;
  /** http(s) only; the browser draws an initials circle without one */
  readonly avatarUrl?: string;
}

export interface WireFile {
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** path on this server (`/files/<id>/<name>`) */
  readonly url: string;
}

export interface WireReply {
  readonly id: string;
  readonly authorName: string;
  readonly excerpt: string;
}

/** `user`: typed in this room in a browser · `copy`: relayed from a linked room · `system`: the bridge's own voice. */
export type MessageKind = 'user' | 'copy' | 'system';

export interface WireMessage {
  readonly id: string;
  /** order in the room (absent on messages stored before numbering) */
  readonly seq?: number;
  readonly ts: number;
  readonly kind: MessageKind;
  readonly author: WireAuthor;
  /** canonical markup, for editing */
  readonly text: string;
  /** the same text parsed, for rendering */
  readonly nodes: readonly Node[];
  readonly files: readonly WireFile[];
  readonly replyTo?: WireReply;
  readonly edited?: boolean;
}

export interface Limits {
  readonly maxTextLength: number;
  readonly maxFileBytes: number;
  readonly maxNameLength: number;
}

export type ServerFrame =
  | {
      readonly type: 'welcome';
      readonly room: { readonly id: string; readonly name: string };
      readonly you: WireAuthor;
      readonly history: readonly WireMessage[];
      /** false: `history` starts at the room's first kept message */
      readonly more: boolean;
      readonly cursor?: number;
      readonly limits: Limits;
    }
  | { readonly type: 'message'; readonly message: WireMessage; readonly nonce?: string }
  | { readonly type: 'update'; readonly message: WireMessage }
  | { readonly type: 'delete'; readonly id: string }
  /** an older page, answering `older`: oldest first, `more` and `cursor` as in `welcome` */
  | { readonly type: 'history'; readonly before: number; readonly messages: readonly WireMessage[]; readonly more: boolean; readonly cursor?: number }
  /** `nonce`: the post this error is about */
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string; readonly nonce?: string }
  | { readonly type: 'pong' };

export const MAX_NAME = 64;
export const MAX_ROOM_NAME = 80;
export const MAX_FILES = 10;
/** Web room ids and message ids: what the server makes, with room to spare. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** A browser's own tag for a post, echoed back on its copy. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A browser's random id for a post (enough randomness that nobody guesses another's). */
export const CID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** Largest frame accepted for a given text limit (4 bytes per character at worst, plus room for JSON). */
export function maxFrameBytes(maxTextLength: number): number {
  return maxTextLength * 4 + 4096;
}

// Zero-width and bidirectional controls (ZWJ kept for emoji) and C0/C1 controls.
const INVISIBLE = /[\p{Cc}\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** A display name or room name as typed: invisible characters out, spaces collapsed. Null when empty or too long. */
export function cleanName(input: string, max: number): string | null {
  const name = input.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  if (!name || [...name].length > max) return null;
  return name;
}

export type Parsed = { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const bad = (message: string, code: ErrorCode = 'bad_frame'): Parsed => ({ ok: false, code, message });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  return typeof v === 'string' ? v : undefined;
}

/** Validate one text frame from a browser. Never throws. */
export function parseClientFrame(raw: string, maxTextLength: number): Parsed {
  if (Buffer.byteLength(raw) > maxFrameBytes(maxTextLength)) return bad('frame too large', 'too_large');
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return bad('frames are JSON objects');
  }
  if (!isRecord(data)) return bad('frames are JSON objects');
  const textOk = (text: string | undefined): Parsed | null => {
    if (text === undefined) return bad('text must be a string');
    if (text.length > maxTextLength) return bad(`text longer than ${maxTextLength} characters`, 'too_long');
    return null;
  };
  switch (data.type) {
    case 'hello': {
      const room = str(data, 'room');
      const name = str(data, 'name');
      const key = str(data, 'key');
      if (!room || !ID_PATTERN.test(room)) return bad('hello needs a room id');
      if (!key || !KEY_PATTERN.test(key)) return bad('hello needs a key of 16 to 128 letters, digits, - or _');
      const clean = name === undefined ? null : cleanName(name, MAX_NAME);
      if (!clean) return bad(`a name is 1 to ${MAX_NAME} characters`, 'bad_name');
      return { ok: true, frame: { type: 'hello', room, name: clean, key } };
    }
    case 'post': {
      const text = str(data, 'text');
      const err = textOk(text);
      if (err) return err;
      const replyTo = data.replyTo;
      if (replyTo !== undefined && (typeof replyTo !== 'string' || !ID_PATTERN.test(replyTo))) return bad('replyTo must be a message id');
      const files = data.files;
      if (files !== undefined) {
        if (!Array.isArray(files) || files.length > MAX_FILES) return bad(`files must be a list of at most ${MAX_FILES} file ids`, 'bad_file');
        if (!files.every((f): f is string => typeof f === 'string' && ID_PATTERN.test(f))) return bad('files must be file ids', 'bad_file');
      }
      const nonce = data.nonce;
      if (nonce !== undefined && (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce))) return bad('nonce must be a short id');
      const cid = data.cid;
      if (cid !== undefined && (typeof cid !== 'string' || !CID_PATTERN.test(cid))) return bad('cid must be an id of 16 to 64 letters, digits, - or _');
      const t = (text ?? '').replaceAll('\0', '');
      if (!t.trim() && !(Array.isArray(files) && files.length > 0)) return bad('nothing to post', 'empty');
      return {
        ok: true,
        frame: {
          type: 'post',
          text: t,
          ...(typeof replyTo === 'string' ? { replyTo } : {}),
          ...(Array.isArray(files) && files.length > 0 ? { files: files as string[] } : {}),
          ...(typeof nonce === 'string' ? { nonce } : {}),
          ...(typeof cid === 'string' ? { cid } : {}),
        },
      };
    }
    case 'edit': {
      const id = str(data, 'id');
      const text = str(data, 'text');
      if (!id || !ID_PATTERN.test(id)) return bad('edit needs a message id');
      const err = textOk(text);
      if (err) return err;
      const t = (text ?? '').replaceAll('\0', '');
      if (!t.trim()) return bad('an edit cannot be empty: delete the message instead', 'empty');
      return { ok: true, frame: { type: 'edit', id, text: t } };
    }
    case 'delete': {
      const id = str(data, 'id');
      if (!id || !ID_PATTERN.test(id)) return bad('delete needs a message id');
      return { ok: true, frame: { type: 'delete', id } };
    }
    case 'older': {
      const before = data.before;
      if (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1) return bad('older needs a cursor (a whole number from the last page)');
      return { ok: true, frame: { type: 'older', before } };
    }
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    default:
      return bad('unknown frame type');
  }
}
