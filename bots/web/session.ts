/**
 * One browser connection. Inbound frames pass, in order: rate limit (token bucket) → size cap →
 * text only → `parseClientFrame` → one at a time through `handle`. Anything refused gets an
 * error frame; nothing a browser sends can throw out of here.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { Author, Inbound, InboundAttachment, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import type { Peer, WebChat } from './chat.js';
import type { WebConfig } from './config.js';
import { posesAsBridge } from './admins.js';
import { fileRef, messageIdFor, toWire, type MessageRecord } from './history.js';
import { MAX_NAME, maxFrameBytes, parseClientFrame, type ClientFrame, type ErrorCode, type ServerFrame } from './protocol.js';
import { TokenBucket } from './ratelimit.js';

export const PLATFORM = 'web';

export interface SessionDeps {
  readonly chat: WebChat;
  readonly config: WebConfig;
  readonly log: Logger;
  fileMeta(id: string): Promise<StoredFile | null>;
  ingest(event: Inbound): Promise<void>;
  /** Someone joined a room (its first joiner becomes its admin: admins.ts). */
  joined(roomId: string, authorId: string): Promise<void>;
}

/** Frames waiting to be handled per connection before new ones are refused. */
const MAX_PENDING = 16;
/** A browser that does not read its frames is dropped past this much unsent data. */
const MAX_BUFFERED = 8 * 1024 * 1024;
/** An older page waits while more than this is still unsent to the browser (back-pressure). */
const PAGE_BACKLOG = 1024 * 1024;

/** A web author's id: derived from the browser's secret key, so nobody else can claim it. */
export function authorIdOf(key: string): string {
  return `u${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`;
}

export const webRef = (roomId: string): RoomRef => ({ platform: PLATFORM, channel: roomId });

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.byteLength, 0);
  return data.byteLength;
}

export class Session implements Peer {
  readonly id = randomUUID();
  /** cleared on each heartbeat ping, set by the pong */
  alive = true;
  private joined: { readonly roomId: string; readonly author: Author } | undefined;
  private readonly bucket: TokenBucket;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly deps: SessionDeps,
    private readonly onClose: (s: Session) => void,
    /** the client's address, for per-address limits on `connect` */
    private readonly address?: string,
  ) {
    this.bucket = new TokenBucket(deps.config.frameRate);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('error', (err) => deps.log.debug({ err }, 'web: socket error'));
    socket.on('close', () => {
      if (this.joined) deps.chat.hub.leave(this.joined.roomId, this);
      this.onClose(this);
    });
  }

  /** Who is on this connection, once joined. */
  get who(): { readonly roomId: string; readonly authorId: string } | undefined {
    return this.joined ? { roomId: this.joined.roomId, authorId: this.joined.author.id } : undefined;
  }

  send(frame: ServerFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED) {
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(frame));
  }

  private error(code: ErrorCode, message: string): void {
    this.send({ type: 'error', code, message });
  }

  private receive(data: RawData, isBinary: boolean): void {
    const max = this.deps.config.maxTextLength;
    if (!this.bucket.take()) return this.error('rate_limited', 'too many messages at once: slow down');
    if (rawSize(data) > maxFrameBytes(max)) return this.error('too_large', 'frame too large');
    if (isBinary) return this.error('bad_frame', 'frames are JSON text');
    if (this.pending >= MAX_PENDING) return this.error('busy', 'still working on your earlier messages');
    const parsed = parseClientFrame(rawText(data), max);
    if (!parsed.ok) return this.error(parsed.code, parsed.message);
    this.pending++;
    this.chain = this.chain
      .then(() => this.handle(parsed.frame))
      .catch((err: unknown) => {
        this.deps.log.error({ err, frame: parsed.frame.type }, 'web: frame failed');
        this.error('unavailable', 'the bridge could not do that just now: try again');
      })
      .finally(() => {
        this.pending--;
      });
  }

  private async handle(frame: ClientFrame): Promise<void> {
    if (frame.type === 'ping') return this.send({ type: 'pong' });
    if (frame.type === 'hello') return this.hello(frame.room, frame.name, frame.key);
    const joined = this.joined;
    if (!joined) return this.error('not_joined', 'say hello (join a room) first');
    switch (frame.type) {
      case 'post':
        return this.post(joined.roomId, joined.author, frame);
      case 'edit':
        return this.edit(joined.roomId, joined.author, frame.id, frame.text);
      case 'delete':
        return this.remove(joined.roomId, joined.author, frame.id);
      case 'older':
        return this.older(joined.roomId, frame.before);
    }
  }

  private async hello(roomId: string, name: string, key: string): Promise<void> {
    if (this.joined) return this.error('already_joined', 'this connection is already in a room');
    const { chat, config } = this.deps;
    const room = await chat.rooms.get(roomId);
    if (!room) return this.error('no_room', 'there is no such room: check the link');
    if (posesAsBridge(name)) return this.error('bad_name', 'that name looks like the bridge’s own: pick another');
    const author: Author = { id: authorIdOf(key), name };
    this.joined = { roomId, author };
    await this.deps.joined(roomId, author.id);
    chat.hub.join(roomId, this);
    const page = await chat.rooms.page(roomId, config.historyPage);
    this.send({
      type: 'welcome',
      room: { id: room.id, name: room.name },
      you: author,
      history: page.messages.map(toWire),
      more: page.more,
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
      limits: { maxTextLength: config.maxTextLength, maxFileBytes: config.maxFileBytes, maxNameLength: MAX_NAME },
    });
  }

  private async post(roomId: string, author: Author, frame: Extract<ClientFrame, { type: 'post' }>): Promise<void> {
    const { chat, fileMeta } = this.deps;
    const nonce = frame.nonce ?? frame.cid;
    const id = frame.cid ? messageIdFor(roomId, author.id, frame.cid) : undefined;
    const before = id ? await chat.rooms.message(roomId, id) : null;
    if (before) return this.again(roomId, before, nonce);
    const files: StoredFile[] = [];
    for (const fileId of frame.files ?? []) {
      const meta = await fileMeta(fileId);
      if (!meta) return this.send({ type: 'error', code: 'bad_file', message: 'an attached file is gone: upload it again', ...(nonce ? { nonce } : {}) });
      files.push(meta);
    }
    const replyTo = frame.replyTo ? await chat.replyPreview(roomId, frame.replyTo) : undefined;
    const { rec, fresh } = await chat.add(
      roomId,
      { kind: 'user', author, text: frame.text, files: files.map(fileRef), ...(replyTo ? { replyTo } : {}) },
      { peer: this, ...(nonce ? { nonce } : {}) },
      id,
    );
    if (!fresh) return this.again(roomId, rec, nonce);
    await this.relay(roomId, rec);
  }

  /** A post that arrived before (the browser did not hear back): answer again, relay again (the relay drops events it has seen). */
  private async again(roomId: string, rec: MessageRecord, nonce: string | undefined): Promise<void> {
    if (rec.deleted) return this.send({ type: 'error', code: 'no_message', message: 'that message was sent and deleted since', ...(nonce ? { nonce } : {}) });
    this.send({ type: 'message', message: toWire(rec), ...(nonce ? { nonce } : {}) });
    await this.relay(roomId, rec);
  }

  private async relay(roomId: string, rec: MessageRecord): Promise<void> {
    // Uploads are stored already: the relay hands the same file on.
    const attachments: InboundAttachment[] = [];
    for (const f of rec.files) {
      const stored = await this.deps.fileMeta(f.id);
      if (stored) attachments.push({ name: f.name, mime: f.mime, size: f.size, stored });
    }
    await this.deps.ingest({
      kind: 'post',
      room: webRef(roomId),
      eventId: `${roomId}/${rec.id}`,
      id: rec.id as RemoteMessageId,
      author: rec.author,
      text: rec.text,
      ...(this.address ? { clientAddress: this.address } : {}),
      ...(attachments.length ? { attachments } : {}),
      ...(rec.replyTo ? { replyTo: rec.replyTo.id as RemoteMessageId } : {}),
    });
  }

  /** An older page of history, unless the browser has not read the last one yet. */
  private async older(roomId: string, before: number): Promise<void> {
    if (this.socket.bufferedAmount > PAGE_BACKLOG) return this.error('busy', 'still sending the last page: ask again in a moment');
    const page = await this.deps.chat.rooms.page(roomId, this.deps.config.historyPage, before);
    this.send({ type: 'history', before, messages: page.messages.map(toWire), more: page.more, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  }

  /** The caller's own message, or an error frame and null. */
  private async own(roomId: string, author: Author, id: string): Promise<boolean> {
    const m = await this.deps.chat.rooms.message(roomId, id);
    if (!m || m.deleted) {
      this.error('no_message', 'that message is not here any more');
      return false;
    }
    if (m.kind !== 'user' || m.author.id !== author.id) {
      this.error('not_yours', 'you can only change your own messages');
      return false;
    }
    return true;
  }

  private async edit(roomId: string, author: Author, id: string, text: string): Promise<void> {
    if (!(await this.own(roomId, author, id))) return;
    const done = await this.deps.chat.change(roomId, id, (m) => (m.author.id === author.id ? { ...m, text, edited: true } : null));
    if (!done) return this.error('no_message', 'that message is not here any more');
    await this.deps.ingest({ kind: 'edit', room: webRef(roomId), eventId: `${roomId}/${id}/edit/${randomUUID()}`, id: id as RemoteMessageId, author, text });
  }

  private async remove(roomId: string, author: Author, id: string): Promise<void> {
    if (!(await this.own(roomId, author, id))) return;
    const done = await this.deps.chat.change(roomId, id, (m) => (m.author.id === author.id ? { ...m, deleted: true } : null));
    if (!done) return this.error('no_message', 'that message is not here any more');
    await this.deps.ingest({ kind: 'delete', room: webRef(roomId), eventId: `${roomId}/${id}/delete`, id: id as RemoteMessageId });
  }
}
