/**
 * The built-in web platform: rooms that live in the browser. Room = `{platform:'web', channel:
 * <room id>}` (no workspace); the random room id is the room's only secret, shared as a link
 * (`/r/<id>`). People pick a display name in the page and talk over a WebSocket (protocol.ts).
 *
 * A full relay platform: copies appear under the real author's name and avatar, replies are
 * real replies, edits and deletes flow both ways (people change only their own messages), files
 * go up through `POST /r/<id>/files`. Each room keeps its recent history in the store.
 *
 * Being built in, it gets the bridge's Services through `bind()` before `start()` (src/setup.ts
 * does it) and also makes guest rooms for portals (`createWebRoom`).
 *
 * Browsers are connected to one process, but every change goes through the store's pub/sub
 * (live.ts): with several bridge processes on one Redis, a copy delivered by any of them is
 * pushed live to the browsers of all of them.
 */
import type { AdminAware, Bot, BotContext, DeletingBot, EditingBot, NamingBot, PrivateReplier } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import { roomKey, type Capabilities, type OutboundDelete, type OutboundEdit, type OutboundPost, type RemoteMessageId, type RoomRef } from '../../src/model.js';
import type { WebRoomMaker } from '../../src/portal/guest.js';
import type { Services } from '../../src/services.js';
import type { BuiltinBot } from '../../src/setup.js';
import { Hub, WebChat } from './chat.js';
import type { WebConfig } from './config.js';
import { randomUUID } from 'node:crypto';
import { Admission } from './admission.js';
import { WEB_ADMINS_ARE, WebAdmins } from './admins.js';
import { fileRef, toWire, WebRooms, type MessageRecord } from './history.js';
import { Live } from './live.js';
import { MAX_ROOM_NAME, cleanName } from './protocol.js';
import { mountWebRoutes } from './routes.js';
import { PLATFORM, Session, webRef } from './session.js';

export { webConfigFromEnv, WEB_DEFAULTS, type WebConfig } from './config.js';

/** How the bridge's own voice appears in web rooms. */
export const SYSTEM_AUTHOR = { id: 'sameroom', name: 'Sameroom' } as const;

interface Running {
  readonly ctx: BotContext;
  readonly services: Services;
  readonly chat: WebChat;
  readonly live: Live;
  readonly sessions: Set<Session>;
  readonly heartbeat: NodeJS.Timeout;
  readonly admission: Admission;
}

export class WebBot implements Bot, EditingBot, DeletingBot, NamingBot, AdminAware, PrivateReplier, BuiltinBot, WebRoomMaker {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities;
  readonly adminsAre = WEB_ADMINS_ARE;
  readonly privately = 'in your browser only (it is not kept in the room)';
  private services: Services | undefined;
  private rooms: WebRooms | undefined;
  private admins: WebAdmins | undefined;
  private run: Running | undefined;

  constructor(private readonly config: WebConfig) {
    this.capabilities = { maxTextLength: config.maxTextLength, maxFileBytes: config.maxFileBytes, impersonate: true, replies: true };
  }

  bind(services: Services): void {
    this.services = services;
    this.rooms = new WebRooms(services.store, this.config);
    this.admins = new WebAdmins(services.store);
  }

  async start(ctx: BotContext): Promise<void> {
    const services = this.services;
    const rooms = this.rooms;
    if (!services || !rooms) throw new Error('web platform: bind(services) must be called before start()');
    const hub = new Hub();
    const live = new Live(services.store, rooms, hub, ctx.log);
    // Subscribed before any browser can connect: nothing they should see is missed.
    await live.start();
    const chat = new WebChat(rooms, hub, (e) => live.announce(e));
    const sessions = new Set<Session>();
    const heartbeat = setInterval(() => {
      for (const s of sessions) {
        if (!s.alive) s.socket.terminate();
        else {
          s.alive = false;
          s.socket.ping();
        }
      }
    }, this.config.heartbeatMs);
    heartbeat.unref();
    const admission = new Admission(services.config.limits.ws, services.config.publicUrl);
    this.run = { ctx, services, chat, live, sessions, heartbeat, admission };
    // The routes are this run's only door: if they cannot be mounted, undo the rest.
    try {
      await mountWebRoutes(ctx.http, {
        config: this.config,
        rooms,
        putFile: (name, mime, data, owner) =>
          services.files.putStream(name, mime, data, { room: roomKey(webRef(owner.roomId)), address: owner.address, pending: true }),
        accept: (socket, req) => {
          const r = this.run;
          if (!r) return socket.close(1013, 'not running');
          if (!r.admission.admit(socket, req)) return;
          const session = new Session(
            socket,
            {
              chat: r.chat,
              config: this.config,
              log: ctx.log,
              // Posting an upload keeps it (unposted uploads expire within the hour).
              fileMeta: (id) => services.files.claim(id),
              ingest: (ev) => ctx.ingest(ev),
              joined: async (roomId, authorId) => this.admins?.joined(roomId, authorId),
            },
            (s) => r.sessions.delete(s),
            req.ip,
          );
          r.sessions.add(session);
        },
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const r = this.run;
    this.run = undefined;
    if (!r) return;
    clearInterval(r.heartbeat);
    r.admission.stop();
    for (const s of r.sessions) s.socket.close(1001, 'server stopping');
    r.sessions.clear();
    await r.live.stop();
  }

  /** Open WebSocket connections admitted on this process. */
  connections(): number {
    return this.run?.admission.open ?? 0;
  }

  private running(): Running {
    if (!this.run) throw new DeliveryError('unavailable', 'web platform is not running');
    return this.run;
  }

  /** Add a message from the bridge (a copy or its own voice) to a room. */
  private async addFromBridge(room: RoomRef, m: Omit<MessageRecord, 'id' | 'ts' | 'seq' | 'replyTo'>, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const { chat } = this.running();
    if (!(await chat.rooms.get(room.channel))) throw new DeliveryError('not_found', `no web room ${room.channel}`);
    const reply = replyTo ? await chat.replyPreview(room.channel, replyTo) : undefined;
    const { rec } = await chat.add(room.channel, { ...m, ...(reply ? { replyTo: reply } : {}) });
    return [rec.id as RemoteMessageId];
  }

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const author = { id: post.author.id, name: post.author.name, ...(post.author.avatarUrl ? { avatarUrl: post.author.avatarUrl } : {}) };
    return this.addFromBridge(post.room, { kind: 'copy', author, text: post.text, files: post.attachments.map(fileRef) }, post.replyTo);
  }

  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    return this.addFromBridge(room, { kind: 'system', author: SYSTEM_AUTHOR, text, files: [] }, replyTo);
  }

  async edit(e: OutboundEdit): Promise<void> {
    await this.running().chat.change(e.room.channel, e.id, (m) => (m.kind === 'user' ? null : { ...m, text: e.text, edited: true }));
  }

  async delete(d: OutboundDelete): Promise<void> {
    await this.running().chat.change(d.room.channel, d.id, (m) => (m.kind === 'user' ? null : { ...m, deleted: true }));
  }

  async roomName(room: RoomRef): Promise<string> {
    const rec = await this.rooms?.get(room.channel);
    return rec?.name ?? 'web room';
  }

  async isAdmin(room: RoomRef, userId: string): Promise<boolean> {
    if (!this.admins) throw new Error('web platform: not bound');
    return this.admins.isAdmin(room.channel, userId);
  }

  /**
   * Shown to the asker's own browser connections on this process (the one that ran the command),
   * never stored in the room's history: gone on reload.
   */
  async sayPrivately(room: RoomRef, userId: string, text: string): Promise<boolean> {
    const r = this.run;
    if (!r) return false;
    const message = toWire({ id: `private-${randomUUID()}`, ts: Date.now(), kind: 'system', author: SYSTEM_AUTHOR, text, files: [] });
    let shown = false;
    for (const s of r.sessions) {
      const who = s.who;
      if (who?.roomId === room.channel && who.authorId === userId) {
        s.send({ type: 'message', message });
        shown = true;
      }
    }
    return shown;
  }

  /** A new web room nobody administers (portal guest rooms). */
  async createWebRoom(name: string): Promise<{ room: RoomRef; path: string }> {
    if (!this.rooms || !this.admins) throw new Error('web platform: not bound');
    const rec = await this.rooms.create(cleanName([...name].slice(0, MAX_ROOM_NAME).join(''), MAX_ROOM_NAME) ?? 'Guests');
    await this.admins.noCreator(rec.id);
    return { room: webRef(rec.id), path: this.webRoomPath(rec.id) };
  }

  webRoomPath(channel: string): string {
    return `/r/${encodeURIComponent(channel)}`;
  }
}

export function createWebBot(config: WebConfig): WebBot {
  const bot = new WebBot(config);
  return bot satisfies Bot & EditingBot & DeletingBot & NamingBot & AdminAware & PrivateReplier;
}
