/**
 * A fake Rocket.Chat server (REST v1 + DDP realtime) on 127.0.0.1 for tests, built on Fastify.
 *
 * Enforces: `X-User-Id` + `X-Auth-Token` (401), room membership (403), `Message_MaxAllowedSize`
 * (`error-message-size-exceeded`), `alias`/`avatar` only with `message-impersonate` (bot role),
 * editing and deleting only one's own messages, unique message `_id`s, `tmid` pointing at a
 * message of the room, `FileUpload_MaxFileSize`, authenticated `/file-upload` downloads, and
 * 429 `error-too-many-requests` with `X-RateLimit-Reset` (epoch ms) on demand.
 */
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DdpHub } from './ddp.js';
import { RcModel, randomId, type RcMsg, type RcRoom, type RcUser } from './model.js';

export type RcRoute = 'me' | 'subscriptions' | 'send' | 'update' | 'delete' | 'get' | 'media' | 'confirm' | 'info' | 'download';

type Fail = { status: number; body: Record<string, unknown> };
const fail = (status: number, error: string, errorType?: string): Fail => ({ status, body: { success: false, error, ...(errorType ? { errorType } : {}) } });
const isFail = (v: unknown): v is Fail => typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

export class FakeRocketChat {
  readonly model = new RcModel();
  readonly ddp = new DdpHub(this.model);
  readonly bot: RcUser;
  url = '';
  private readonly app: FastifyInstance = Fastify();
  private readonly failures: { route: RcRoute; status: number; waitMs?: number }[] = [];

  constructor() {
    this.bot = this.model.addUser('sameroom', 'Sameroom', ['bot']);
  }

  async start(): Promise<this> {
    await this.app.register(websocket);
    await this.app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024 } });
    this.app.get('/websocket', { websocket: true }, (socket) => this.ddp.accept(socket));
    this.routes();
    this.url = await this.app.listen({ port: 0, host: '127.0.0.1' });
    return this;
  }

  async close(): Promise<void> {
    this.ddp.dropAll();
    await this.app.close();
  }

  // ---- test controls -------------------------------------------------------------------------

  userSend(user: RcUser, room: RcRoom, msg: string, extra: Partial<RcMsg> = {}): RcMsg {
    const m = this.model.newMessage(user, room._id, msg, extra);
    this.afterSave(m);
    return m;
  }

  userEdit(id: string, msg: string): RcMsg {
    const m = this.mustMessage(id);
    const editor = this.model.users.get(m.u._id);
    Object.assign(m, { msg, editedAt: { $date: Date.now() }, editedBy: { _id: m.u._id, username: editor?.username ?? '' }, _updatedAt: { $date: Date.now() } });
    this.ddp.message(m);
    return m;
  }

  userDelete(id: string): void {
    this.remove(this.mustMessage(id));
  }

  failNext(route: RcRoute, failure: { status: number; waitMs?: number }): void {
    this.failures.push({ route, ...failure });
  }

  messagesIn(room: RcRoom): RcMsg[] {
    return [...this.model.messages.values()].filter((m) => m.rid === room._id);
  }

  private mustMessage(id: string): RcMsg {
    const m = this.model.messages.get(id);
    if (!m) throw new Error(`no message ${id}`);
    return m;
  }

  /** Stream the message; a thread reply also re-streams its parent (with a new `tcount`). */
  private afterSave(m: RcMsg): void {
    this.ddp.message(m);
    const parent = m.tmid ? this.model.messages.get(m.tmid) : undefined;
    if (parent) {
      parent.tcount = (parent.tcount ?? 0) + 1;
      parent._updatedAt = { $date: Date.now() };
      this.ddp.message(parent);
    }
  }

  private remove(m: RcMsg): void {
    if (this.model.settings.Message_ShowDeletedStatus) {
      Object.assign(m, { t: 'rm', msg: '', _updatedAt: { $date: Date.now() } });
      delete m.file;
      delete m.files;
      delete m.attachments;
      this.ddp.message(m);
    } else {
      this.model.messages.delete(m._id);
      this.ddp.deleted(m.rid, m._id);
    }
  }

  // ---- REST ----------------------------------------------------------------------------------

  private routes(): void {
    const on = (method: 'GET' | 'POST', url: string, route: RcRoute, handler: (user: RcUser, req: FastifyRequest, reply: FastifyReply) => unknown): void => {
      this.app.route({
        method,
        url,
        handler: async (req, reply) => {
          const h = req.headers;
          const cookie = Object.fromEntries((h.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]));
          const uid = String(h['x-user-id'] ?? cookie.rc_uid ?? '');
          const token = String(h['x-auth-token'] ?? cookie.rc_token ?? '');
          const user = this.model.users.get(uid);
          if (!user || user.token !== token) {
            const status = route === 'download' ? 403 : 401;
            return reply.code(status).send({ success: false, status: 'error', message: 'You must be logged in to do this.' });
          }
          const fi = this.failures.findIndex((f) => f.route === route);
          if (fi >= 0) {
            const f = this.failures.splice(fi, 1)[0];
            if (f?.status === 429) {
              const wait = f.waitMs ?? 1000;
              const secs = Math.ceil(wait / 1000);
              return reply
                .code(429)
                .headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.now() + wait) })
                .send({ success: false, error: `Error, too many requests. Please slow down. You must wait ${secs} seconds before trying this endpoint again. [error-too-many-requests]` });
            }
            return reply.code(f?.status ?? 500).send({ success: false, error: 'injected failure' });
          }
          const out = await handler(user, req, reply);
          return isFail(out) ? reply.code(out.status).send(out.body) : out;
        },
      });
    };
    const body = (req: FastifyRequest): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;
    const q = (req: FastifyRequest): Record<string, string> => req.query as Record<string, string>;
    const p = (req: FastifyRequest): Record<string, string> => req.params as Record<string, string>;
    const roomFor = (user: RcUser, rid: unknown): RcRoom | Fail => {
      const room = this.model.rooms.get(String(rid ?? ''));
      if (!room) return fail(400, 'error-room-not-found', 'error-room-not-found');
      return room.members.has(user._id) ? room : fail(403, 'unauthorized');
    };
    const ownMessage = (user: RcUser, rid: unknown, msgId: unknown): RcMsg | Fail => {
      const m = this.model.messages.get(String(msgId ?? ''));
      if (!m || m.rid !== rid) return fail(400, 'No message found with the id of "' + String(msgId) + '".');
      return m.u._id === user._id ? m : fail(400, 'Not allowed [error-action-not-allowed]', 'error-action-not-allowed');
    };
    /** The checks executeSendMessage makes before a message is saved. */
    const check = (user: RcUser, room: RcRoom, fields: Record<string, unknown>): Fail | undefined => {
      if (String(fields.msg ?? '').length > this.model.settings.Message_MaxAllowedSize) return fail(400, 'Message size exceeds allowed size [error-message-size-exceeded]', 'error-message-size-exceeded');
      if ((fields.alias !== undefined || fields.avatar !== undefined) && !user.roles.includes('bot')) {
        return fail(400, 'Not enough permission [error-action-not-allowed]', 'error-action-not-allowed');
      }
      if (fields.tmid !== undefined && this.model.messages.get(String(fields.tmid))?.rid !== room._id) return fail(400, 'Invalid thread [error-invalid-message]', 'error-invalid-message');
      return undefined;
    };
    const msgFields = (f: Record<string, unknown>): Partial<RcMsg> => ({
      ...(typeof f.alias === 'string' ? { alias: f.alias } : {}),
      ...(typeof f.avatar === 'string' ? { avatar: f.avatar } : {}),
      ...(typeof f.tmid === 'string' ? { tmid: f.tmid } : {}),
    });

    on('GET', '/api/v1/me', 'me', (user) => ({ _id: user._id, username: user.username, name: user.name, roles: user.roles, success: true }));
    on('GET', '/api/v1/subscriptions.get', 'subscriptions', (user) => ({
      update: [...this.model.rooms.values()].filter((r) => r.members.has(user._id)).map((r) => ({ _id: randomId(), rid: r._id, name: r.name, t: r.t, u: { _id: user._id } })),
      remove: [],
      success: true,
    }));
    on('GET', '/api/v1/rooms.info', 'info', (user, req) => {
      const room = roomFor(user, q(req).roomId);
      return isFail(room) ? room : { room: { _id: room._id, t: room.t, name: room.name, fname: room.fname }, success: true };
    });
    on('GET', '/api/v1/chat.getMessage', 'get', (user, req) => {
      const m = this.model.messages.get(q(req).msgId ?? '');
      const room = m ? roomFor(user, m.rid) : fail(400, 'error-not-allowed');
      return !m || isFail(room) ? fail(400, 'error-not-allowed', 'error-not-allowed') : { message: RcModel.rest(m), success: true };
    });
    on('POST', '/api/v1/chat.sendMessage', 'send', (user, req) => {
      const message = (body(req).message ?? {}) as Record<string, unknown>;
      const room = roomFor(user, message.rid);
      if (isFail(room)) return room;
      const bad = check(user, room, message);
      if (bad) return bad;
      if (typeof message._id === 'string' && this.model.messages.has(message._id)) return fail(400, `E11000 duplicate key error collection: rocketchat.rocketchat_message index: _id_ dup key: { _id: "${message._id}" }`);
      const m = this.model.newMessage(user, room._id, String(message.msg ?? ''), { ...msgFields(message), ...(typeof message._id === 'string' ? { _id: message._id } : {}) });
      this.afterSave(m);
      return { message: RcModel.rest(m), success: true };
    });
    on('POST', '/api/v1/chat.update', 'update', (user, req) => {
      const b = body(req);
      const m = ownMessage(user, b.roomId, b.msgId);
      if (isFail(m)) return m;
      if (String(b.text ?? '').length > this.model.settings.Message_MaxAllowedSize) return fail(400, 'error-message-size-exceeded', 'error-message-size-exceeded');
      Object.assign(m, { msg: String(b.text ?? ''), editedAt: { $date: Date.now() }, editedBy: { _id: user._id, username: user.username }, _updatedAt: { $date: Date.now() } });
      this.ddp.message(m);
      return { message: RcModel.rest(m), success: true };
    });
    on('POST', '/api/v1/chat.delete', 'delete', (user, req) => {
      const b = body(req);
      const m = ownMessage(user, b.roomId, b.msgId);
      if (isFail(m)) return m;
      this.remove(m);
      return { _id: m._id, ts: Date.now(), message: { _id: m._id, rid: m.rid, u: m.u }, success: true };
    });
    on('POST', '/api/v1/rooms.media/:rid', 'media', async (user, req) => {
      const room = roomFor(user, p(req).rid);
      if (isFail(room)) return room;
      const part = await req.file();
      if (!part || part.fieldname !== 'file') return fail(400, 'invalid-field');
      const bytes = await part.toBuffer();
      if (bytes.byteLength > this.model.settings.FileUpload_MaxFileSize) return fail(400, `File size exceeds allowed size of ${this.model.settings.FileUpload_MaxFileSize} bytes [error-file-too-large]`, 'error-file-too-large');
      const up = { _id: randomId(), rid: room._id, userId: user._id, name: part.filename, type: part.mimetype, bytes, confirmed: false };
      this.model.uploads.set(up._id, up);
      return { file: { _id: up._id, url: `/file-upload/${up._id}/${encodeURI(up.name)}` }, success: true };
    });
    on('POST', '/api/v1/rooms.mediaConfirm/:rid/:fileId', 'confirm', (user, req) => {
      const room = roomFor(user, p(req).rid);
      if (isFail(room)) return room;
      const up = this.model.uploads.get(p(req).fileId ?? '');
      if (!up || up.rid !== room._id || up.userId !== user._id) return fail(400, 'invalid-file');
      const b = body(req);
      const bad = check(user, room, b);
      if (bad) return bad;
      up.confirmed = true;
      const file = { _id: up._id, name: up.name, type: up.type, size: up.bytes.byteLength };
      const link = `/file-upload/${up._id}/${encodeURI(up.name)}`;
      const attachment = { type: 'file', title: up.name, title_link: link, title_link_download: true, ...(typeof b.description === 'string' ? { description: b.description } : {}), ...(up.type.startsWith('image/') ? { image_url: link, image_type: up.type, image_size: file.size } : {}) };
      const m = this.model.newMessage(user, room._id, String(b.msg ?? ''), { ...msgFields(b), file, files: [file], attachments: [attachment] });
      this.afterSave(m);
      return { message: RcModel.rest(m), success: true };
    });
    on('GET', '/file-upload/:id/:name', 'download', (user, req, reply) => {
      const up = this.model.uploads.get(p(req).id ?? '');
      if (!up || !up.confirmed) return reply.code(404).send('Not found');
      const room = roomFor(user, up.rid);
      if (isFail(room)) return reply.code(403).send('Forbidden');
      return reply.type(up.type).send(up.bytes);
    });
  }

  /** A person uploads a file with an optional caption (rooms.media + rooms.mediaConfirm). */
  userUpload(user: RcUser, room: RcRoom, name: string, type: string, bytes: Uint8Array, caption = ''): RcMsg {
    const up = { _id: randomId(), rid: room._id, userId: user._id, name, type, bytes: Buffer.from(bytes), confirmed: true };
    this.model.uploads.set(up._id, up);
    const file = { _id: up._id, name, type, size: bytes.byteLength };
    const link = `/file-upload/${up._id}/${encodeURI(name)}`;
    return this.userSend(user, room, caption, { file, files: [file], attachments: [{ type: 'file', title: name, title_link: link }] });
  }
}
