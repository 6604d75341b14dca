/**
 * The fake Rocket.Chat server's data: users (with the bot role or not), rooms, messages and
 * uploads, shaped like Rocket.Chat's IMessage / IRoom (dates as EJSON `{ $date }` on DDP).
 */
import { randomBytes } from 'node:crypto';

export interface RcUser {
  _id: string;
  username: string;
  name: string;
  token: string;
  roles: string[];
}

export interface RcRoom {
  _id: string;
  t: 'c' | 'p' | 'd';
  name: string;
  fname: string;
  members: Set<string>;
}

export interface RcMsg {
  _id: string;
  rid: string;
  msg: string;
  ts: { $date: number };
  _updatedAt: { $date: number };
  u: { _id: string; username: string; name: string };
  t?: string;
  tmid?: string;
  tcount?: number;
  alias?: string;
  avatar?: string;
  editedAt?: { $date: number };
  editedBy?: { _id: string; username: string };
  file?: { _id: string; name: string; type: string; size: number };
  files?: { _id: string; name: string; type: string; size: number }[];
  attachments?: Record<string, unknown>[];
  mentions: unknown[];
  channels: unknown[];
}

export interface Upload {
  _id: string;
  rid: string;
  userId: string;
  name: string;
  type: string;
  bytes: Buffer;
  confirmed: boolean;
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/** Rocket.Chat's Random.id(): 17 characters. */
export function randomId(): string {
  return Array.from(randomBytes(17), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export class RcModel {
  readonly users = new Map<string, RcUser>();
  readonly rooms = new Map<string, RcRoom>();
  readonly messages = new Map<string, RcMsg>();
  readonly uploads = new Map<string, Upload>();
  /** Server settings that change behaviour the bot must cope with. */
  readonly settings = { Message_MaxAllowedSize: 5000, FileUpload_MaxFileSize: 1024 * 1024, Message_ShowDeletedStatus: false };

  addUser(username: string, name: string, roles: string[] = ['user']): RcUser {
    const u: RcUser = { _id: randomId(), username, name, token: randomBytes(16).toString('base64url'), roles };
    this.users.set(u._id, u);
    return u;
  }

  addRoom(name: string, members: RcUser[], t: RcRoom['t'] = 'c'): RcRoom {
    const r: RcRoom = { _id: randomId(), t, name, fname: name, members: new Set(members.map((m) => m._id)) };
    this.rooms.set(r._id, r);
    return r;
  }

  newMessage(user: RcUser, rid: string, msg: string, extra: Partial<RcMsg> = {}): RcMsg {
    const now = { $date: Date.now() };
    const m: RcMsg = {
      _id: extra._id ?? randomId(),
      rid,
      msg,
      ts: now,
      _updatedAt: now,
      u: { _id: user._id, username: user.username, name: user.name },
      mentions: [],
      channels: [],
      ...extra,
    };
    this.messages.set(m._id, m);
    return m;
  }

  /** REST returns ISO dates where DDP sends `{ $date }`. */
  static rest(m: RcMsg): Record<string, unknown> {
    const iso = (d?: { $date: number }): string | undefined => (d ? new Date(d.$date).toISOString() : undefined);
    return { ...m, ts: iso(m.ts), _updatedAt: iso(m._updatedAt), ...(m.editedAt ? { editedAt: iso(m.editedAt) } : {}) };
  }
}
