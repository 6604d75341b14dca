/**
 * A fake Matrix homeserver (Client-Server API v1.11 subset) on 127.0.0.1 for tests.
 *
 * Enforces: access tokens (401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN), membership (403 M_FORBIDDEN),
 * the 65536-byte event limit and the upload limit (413 M_TOO_LARGE), transaction idempotency
 * (same token + txnId → same event), authenticated media downloads, and 429 M_LIMIT_EXCEEDED
 * with `retry_after_ms` on demand. `/sync` holds the request until there is news or the timeout.
 * `holdSend` stores an event but never answers its request, as when a client dies mid-request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { World, type FakeEvent } from './world.js';

export interface Failure {
  readonly status: number;
  readonly errcode?: string;
  readonly retryAfterMs?: number;
}

type Route = 'whoami' | 'sync' | 'send' | 'redact' | 'join' | 'upload' | 'download' | 'profile' | 'state' | 'media_config';

interface Req {
  readonly method: string;
  readonly parts: string[];
  readonly query: URLSearchParams;
  readonly body: Buffer;
  readonly userId: string;
  readonly token: string;
  readonly contentType: string;
}

const MAX_EVENT_BYTES = 65536;

export class FakeMatrix {
  readonly world: World;
  readonly botUserId: string;
  readonly botToken: string;
  maxUploadBytes: number;
  private readonly tokens = new Map<string, string>();
  /** Tokens that expired (as with the Matrix Authentication Service's short-lived ones). */
  private readonly expired = new Set<string>();
  private readonly txns = new Map<string, string>();
  private readonly failures: { route: Route; failure: Failure }[] = [];
  private server?: Server;
  url = '';
  /** Number of /sync requests served (for tests that wait for the loop to come round). */
  syncCount = 0;
  /** Sends and redactions answered with the event an earlier request with the same token + txnId made. */
  txnReplays = 0;
  private readonly holds: { readonly match: (e: FakeEvent) => boolean; readonly resolve: (e: FakeEvent) => void }[] = [];
  private readonly held: (() => void)[] = [];

  constructor(opts: { serverName?: string; botUserId?: string; botToken?: string; maxUploadBytes?: number } = {}) {
    this.world = new World(opts.serverName ?? 'fake.test');
    this.botUserId = opts.botUserId ?? `@sameroom:${this.world.serverName}`;
    this.botToken = opts.botToken ?? 'syt_bot_secret_token';
    this.maxUploadBytes = opts.maxUploadBytes ?? 1024 * 1024;
    this.tokens.set(this.botToken, this.botUserId);
    this.world.users.set(this.botUserId, { displayname: 'Sameroom' });
  }

  /**
   * The token stops working as an expired one does: 401 M_UNKNOWN_TOKEN with `soft_logout: true`
   * (client-server API, "Soft logout"); a /sync already waiting is answered first.
   */
  expireToken(token: string): void {
    this.tokens.delete(token);
    this.expired.add(token);
    this.world.wakeAll();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const release of this.held.splice(0)) release();
    this.world.wakeAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  // ---- test controls -------------------------------------------------------------------------

  addUser(userId: string, displayname?: string): void {
    this.world.users.set(userId, displayname ? { displayname } : {});
  }

  /** A room with these members joined (the bot too unless `botJoined: false`). */
  createRoom(roomId: string, members: string[], opts: { name?: string; botJoined?: boolean } = {}): void {
    const creator = members[0] ?? this.botUserId;
    this.world.append(roomId, { type: 'm.room.create', sender: creator, state_key: '', content: { room_version: '11' } });
    for (const m of members) this.world.setMembership(roomId, m, 'join');
    if (opts.botJoined !== false) this.world.setMembership(roomId, this.botUserId, 'join');
    if (opts.name) this.world.append(roomId, { type: 'm.room.name', sender: creator, state_key: '', content: { name: opts.name } });
  }

  inviteBot(roomId: string, inviter: string): void {
    this.world.setMembership(roomId, this.botUserId, 'invite', inviter);
  }

  userSend(roomId: string, sender: string, content: Record<string, unknown>, type = 'm.room.message'): string {
    return this.world.append(roomId, { type, sender, content }).event_id;
  }

  userRedact(roomId: string, sender: string, target: string): string {
    return this.world.append(roomId, { type: 'm.room.redaction', sender, redacts: target, content: { redacts: target } }).event_id;
  }

  uploadMedia(bytes: Uint8Array, mime: string, filename?: string): string {
    const id = this.world.newMediaId();
    this.world.media.set(id, { bytes, mime, ...(filename ? { filename } : {}) });
    return `mxc://${this.world.serverName}/${id}`;
  }

  failNext(route: Route, failure: Failure): void {
    this.failures.push({ route, failure });
  }

  /**
   * The next send (PUT /rooms/{id}/send/...) whose new event `match` accepts is stored, and its
   * txnId remembered, like any other, but the request is never answered (until `close`): the
   * client never learns the event id. Resolves with the held event once it exists.
   */
  holdSend(match: (event: FakeEvent) => boolean): Promise<FakeEvent> {
    return new Promise((resolve) => this.holds.push({ match, resolve }));
  }

  get failuresLeft(): number {
    return this.failures.length;
  }

  /** Events the bot put in a room (messages and redactions), oldest first. */
  botEvents(roomId: string): FakeEvent[] {
    return (this.world.rooms.get(roomId)?.timeline ?? []).filter((e) => e.sender === this.botUserId && e.type !== 'm.room.member');
  }

  event(roomId: string, eventId: string): FakeEvent | undefined {
    return this.world.rooms.get(roomId)?.timeline.find((e) => e.event_id === eventId);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token') ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const route = this.route(req.method ?? 'GET', parts);
    if (!route) return send(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    if (!token) return send(401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' });
    const userId = this.tokens.get(token);
    if (!userId && this.expired.has(token)) return send(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Access token has expired', soft_logout: true });
    if (!userId) return send(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown access token' });
    const fi = this.failures.findIndex((f) => f.route === route);
    if (fi >= 0) {
      const failure = this.failures.splice(fi, 1)[0]?.failure ?? { status: 500 };
      const errcode = failure.errcode ?? (failure.status === 429 ? 'M_LIMIT_EXCEEDED' : 'M_UNKNOWN');
      return send(failure.status, { errcode, error: 'injected failure', ...(failure.retryAfterMs !== undefined ? { retry_after_ms: failure.retryAfterMs } : {}) });
    }
    const contentType = req.headers['content-type'] ?? 'application/octet-stream';
    const r: Req = { method: req.method ?? 'GET', parts, query: url.searchParams, body: Buffer.concat(chunks), userId, token, contentType };
    try {
      const out = await this.dispatch(route, r, res);
      if (out) send(out[0], out[1]);
    } catch (err) {
      send(500, { errcode: 'M_UNKNOWN', error: err instanceof Error ? err.message : 'error' });
    }
  }

  private route(method: string, p: string[]): Route | undefined {
    const path = p.join('/');
    if (method === 'GET' && path === '_matrix/client/v3/account/whoami') return 'whoami';
    if (method === 'GET' && path === '_matrix/client/v3/sync') return 'sync';
    if (method === 'PUT' && p[3] === 'rooms' && p[5] === 'send' && p.length === 8) return 'send';
    if (method === 'PUT' && p[3] === 'rooms' && p[5] === 'redact' && p.length === 8) return 'redact';
    if (method === 'POST' && p[2] === 'v3' && ((p[3] === 'join' && p.length === 5) || (p[3] === 'rooms' && p[5] === 'join' && p.length === 6))) return 'join';
    if (method === 'POST' && path === '_matrix/media/v3/upload') return 'upload';
    if (method === 'GET' && path.startsWith('_matrix/client/v1/media/download/') && p.length >= 7) return 'download';
    if (method === 'GET' && path === '_matrix/client/v1/media/config') return 'media_config';
    if (method === 'GET' && p[3] === 'profile' && p.length === 5) return 'profile';
    if (method === 'GET' && p[3] === 'rooms' && p[5] === 'state' && p.length >= 7) return 'state';
    return undefined;
  }

  private async dispatch(route: Route, r: Req, res: ServerResponse): Promise<[number, unknown] | undefined> {
    const w = this.world;
    const forbidden: [number, unknown] = [403, { errcode: 'M_FORBIDDEN', error: 'You are not in this room' }];
    switch (route) {
      case 'whoami':
        return [200, { user_id: r.userId, device_id: 'FAKEDEVICE' }];
      case 'media_config':
        return [200, { 'm.upload.size': this.maxUploadBytes }];
      case 'sync':
        this.syncCount++;
        return [200, await this.sync(r)];
      case 'profile': {
        const u = w.users.get(r.parts[4] ?? '');
        return u ? [200, u] : [404, { errcode: 'M_NOT_FOUND', error: 'Profile not found' }];
      }
      case 'state': {
        const room = w.rooms.get(r.parts[4] ?? '');
        if (room?.members.get(r.userId) !== 'join') return forbidden;
        const ev = room.state.get(`${r.parts[6]}|${r.parts[7] ?? ''}`);
        return ev ? [200, ev.content] : [404, { errcode: 'M_NOT_FOUND', error: 'Event not found' }];
      }
      case 'join': {
        const roomId = r.parts[4] ?? '';
        const room = w.rooms.get(roomId);
        const m = room?.members.get(r.userId);
        if (!room || (m !== 'invite' && m !== 'join')) return forbidden;
        if (m !== 'join') w.setMembership(roomId, r.userId, 'join');
        return [200, { room_id: roomId }];
      }
      case 'send':
      case 'redact': {
        const roomId = r.parts[4] ?? '';
        if (w.rooms.get(roomId)?.members.get(r.userId) !== 'join') return forbidden;
        const key = `${r.token} ${r.parts.join('/')}`;
        const seen = this.txns.get(key);
        if (seen) {
          this.txnReplays++;
          return [200, { event_id: seen }];
        }
        const content = JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
        let ev: Omit<FakeEvent, 'event_id' | 'room_id' | 'origin_server_ts'>;
        if (route === 'redact') {
          const target = r.parts[6] ?? '';
          ev = { type: 'm.room.redaction', sender: r.userId, redacts: target, content: { ...content, redacts: target } };
        } else {
          const type = r.parts[6] ?? '';
          if (type === 'm.room.message' && (typeof content.msgtype !== 'string' || typeof content.body !== 'string')) {
            return [400, { errcode: 'M_BAD_JSON', error: 'msgtype and body are required' }];
          }
          ev = { type, sender: r.userId, content };
        }
        const size = Buffer.byteLength(JSON.stringify({ ...ev, room_id: roomId, event_id: '$x', origin_server_ts: Date.now() }));
        if (size > MAX_EVENT_BYTES) return [413, { errcode: 'M_TOO_LARGE', error: 'Event too large' }];
        const stored = w.append(roomId, ev);
        this.txns.set(key, stored.event_id);
        const hold = route === 'send' ? this.holds.findIndex((h) => h.match(stored)) : -1;
        if (hold >= 0) {
          this.holds.splice(hold, 1)[0]?.resolve(stored);
          await new Promise<void>((resolve) => this.held.push(resolve));
        }
        return [200, { event_id: stored.event_id }];
      }
      case 'upload': {
        if (r.body.byteLength > this.maxUploadBytes) return [413, { errcode: 'M_TOO_LARGE', error: 'Upload too large' }];
        const filename = r.query.get('filename') ?? undefined;
        return [200, { content_uri: this.uploadMedia(new Uint8Array(r.body), r.contentType, filename) }];
      }
      case 'download': {
        const [server, mediaId] = [r.parts[5] ?? '', r.parts[6] ?? ''];
        const m = server === w.serverName ? w.media.get(mediaId) : undefined;
        if (!m) return [404, { errcode: 'M_NOT_FOUND', error: 'Not found' }];
        const disposition = `attachment${m.filename ? `; filename="${m.filename.replace(/"/g, '')}"` : ''}`;
        res.writeHead(200, { 'content-type': m.mime, 'content-disposition': disposition });
        res.end(Buffer.from(m.bytes));
        return undefined;
      }
    }
  }

  private async sync(r: Req): Promise<unknown> {
    const w = this.world;
    const since = r.query.get('since');
    const timeout = Math.min(Number(r.query.get('timeout') ?? '0') || 0, 60_000);
    if (since === null) return this.initialSync(r.userId);
    const from = Number(since.replace(/^s/, '')) || 0;
    if (w.itemsSince(from, r.userId).length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, timeout);
        const off = w.onChange(done);
        function done(): void {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    }
    const items = w.itemsSince(from, r.userId);
    const join: Record<string, { timeline: { events: FakeEvent[]; limited: boolean }; state: { events: FakeEvent[] } }> = {};
    const invite: Record<string, { invite_state: { events: unknown[] } }> = {};
    for (const it of items) {
      const m = w.rooms.get(it.roomId)?.members.get(r.userId);
      if (m === 'invite' && it.event.state_key === r.userId) {
        invite[it.roomId] = { invite_state: { events: [strip(it.event)] } };
        continue;
      }
      const room = (join[it.roomId] ??= { timeline: { events: [], limited: false }, state: { events: [] } });
      room.timeline.events.push(clientEvent(it.event));
    }
    for (const [roomId, room] of Object.entries(join)) {
      const senders = new Set(room.timeline.events.map((e) => e.sender));
      const st = w.rooms.get(roomId)?.state;
      for (const s of senders) {
        const member = st?.get(`m.room.member|${s}`);
        if (member) room.state.events.push(clientEvent(member));
      }
    }
    return { next_batch: `s${w.position}`, rooms: { join, invite, leave: {} } };
  }

  private initialSync(userId: string): unknown {
    const join: Record<string, unknown> = {};
    const invite: Record<string, unknown> = {};
    for (const room of this.world.rooms.values()) {
      const m = room.members.get(userId);
      if (m === 'join') join[room.id] = { timeline: { events: room.timeline.slice(-10).map(clientEvent), limited: true }, state: { events: [...room.state.values()].map(clientEvent) } };
      if (m === 'invite') invite[room.id] = { invite_state: { events: [...room.state.values()].map(strip) } };
    }
    return { next_batch: `s${this.world.position}`, rooms: { join, invite, leave: {} } };
  }
}

function clientEvent(e: FakeEvent): FakeEvent {
  return JSON.parse(JSON.stringify(e)) as FakeEvent;
}

function strip(e: FakeEvent): { type: string; sender: string; state_key: string; content: Record<string, unknown> } {
  return { type: e.type, sender: e.sender, state_key: e.state_key ?? '', content: e.content };
}
