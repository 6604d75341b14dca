/**
 * The web platform's HTTP side, on the bridge's one server:
 *
 *   GET  /                 the page (create a room)        GET /assets/<file>  script, style
 *   GET  /r/<id>           the page for a room (404 when there is no such room)
 *   POST /api/rooms        {name} → 201 {id, name, path}
 *   GET  /api/rooms/<id>   → {id, name} (the join prompt names the room); 404 when there is none
 *   POST /r/<id>/files     multipart, one file ≤ maxFileBytes → 201 {id, name, mime, size}; 413 when bigger
 *   GET  /ws               the WebSocket (protocol.ts)
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import type { StoredFile } from '../../src/model.js';
import type { WebConfig } from './config.js';
import type { WebRooms } from './history.js';
import { ID_PATTERN, MAX_ROOM_NAME, cleanName } from './protocol.js';
import { KeyedLimiter } from './ratelimit.js';

const PUBLIC = new URL('./public/', import.meta.url);

const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'timeline.js': 'text/javascript; charset=utf-8',
  'outbox.js': 'text/javascript; charset=utf-8',
  'composer.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  'img-src * data:',
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebRoutesDeps {
  readonly config: WebConfig;
  readonly rooms: WebRooms;
  putFile(name: string, mime: string, data: Uint8Array): Promise<StoredFile>;
  accept(socket: WebSocket, address: string): void;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache');
}

function hasStatus(err: unknown): err is { statusCode: number } {
  return typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number';
}

/** Register the routes (call once, during the bot's start, before the server listens). */
export async function mountWebRoutes(http: FastifyInstance, deps: WebRoutesDeps): Promise<void> {
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(name, PUBLIC)));
  const page = await readFile(new URL('index.html', PUBLIC));
  const limiter = new KeyedLimiter(deps.config.httpRate);
  const { rooms, config } = deps;

  // Inside a plugin, so the WebSocket route is added after @fastify/websocket has loaded.
  await http.register(async (app) => {
    app.get('/', async (_req, reply) => secure(reply).type('text/html; charset=utf-8').send(page));

    app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
      const body = assets.get(req.params.file);
      const type = ASSETS[req.params.file];
      if (!body || !type) return reply.code(404).send({ error: 'not found' });
      return secure(reply).type(type).send(body);
    });

    app.get<{ Params: { id: string } }>('/r/:id', async (req, reply) => {
      const found = ID_PATTERN.test(req.params.id) ? await rooms.get(req.params.id) : null;
      return secure(reply)
        .code(found ? 200 : 404)
        .type('text/html; charset=utf-8')
        .send(page);
    });

    app.post<{ Body: unknown }>('/api/rooms', { bodyLimit: 4096 }, async (req, reply) => {
      if (!limiter.take(req.ip)) return reply.code(429).send({ error: 'too many rooms made from here: wait a minute' });
      const body = req.body;
      const raw = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
      const name = typeof raw === 'string' ? cleanName(raw, MAX_ROOM_NAME) : null;
      if (!name) return reply.code(400).send({ error: `a room name is 1 to ${MAX_ROOM_NAME} characters` });
      const room = await rooms.create(name);
      return reply.code(201).send({ id: room.id, name: room.name, path: `/r/${room.id}` });
    });

    app.get<{ Params: { id: string } }>('/api/rooms/:id', async (req, reply) => {
      const room = ID_PATTERN.test(req.params.id) ? await rooms.get(req.params.id) : null;
      if (!room) return reply.code(404).send({ error: 'no such room' });
      return reply.header('cache-control', 'no-store').send({ id: room.id, name: room.name });
    });

    app.post<{ Params: { id: string } }>('/r/:id/files', async (req, reply) => {
      if (!limiter.take(req.ip)) return reply.code(429).send({ error: 'too many uploads: wait a minute' });
      const room = ID_PATTERN.test(req.params.id) ? await rooms.get(req.params.id) : null;
      if (!room) return reply.code(404).send({ error: 'no such room' });
      const declared = Number(req.headers['content-length'] ?? 0);
      const tooBig = { error: `files are limited to ${Math.floor(config.maxFileBytes / 1024)} KiB` };
      if (declared > config.maxFileBytes + 64 * 1024) return reply.code(413).header('connection', 'close').send(tooBig);
      if (!req.isMultipart()) return reply.code(400).send({ error: 'send the file as multipart/form-data' });
      try {
        const part = await req.file({ limits: { fileSize: config.maxFileBytes, files: 1, fields: 4, fieldSize: 1024 } });
        if (!part) return reply.code(400).send({ error: 'no file in the upload' });
        const data = await part.toBuffer();
        const stored = await deps.putFile(part.filename || 'file', part.mimetype, data);
        return reply.code(201).send({ id: stored.id, name: stored.name, mime: stored.mime, size: stored.size });
      } catch (err) {
        if (hasStatus(err) && err.statusCode === 413) return reply.code(413).send(tooBig);
        if (hasStatus(err) && err.statusCode < 500) return reply.code(400).send({ error: 'bad upload' });
        throw err;
      }
    });

    app.get('/ws', { websocket: true }, (socket, req) => deps.accept(socket, req.ip));
  });
}
