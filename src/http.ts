/** The one HTTP server: health, metrics, stored files; platforms and the web UI add their routes. */
import fastifyMultipart from '@fastify/multipart';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Files } from './files.js';
import type { Metrics } from './metrics.js';
import type { PlatformState } from './platforms.js';
import type { Store } from './store/store.js';

/** WebSocket frames above this close the connection (the web platform refuses smaller ones politely). */
const MAX_WS_PAYLOAD = 1024 * 1024;

/**
 * The server, with WebSocket and multipart support registered once for everyone. Register
 * WebSocket routes inside a plugin (`http.register(async (app) => …)`) so they load after it.
 */
export function createHttp(opts: { bodyLimit?: number; trustProxy?: boolean } = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const http = Fastify({ bodyLimit, trustProxy: opts.trustProxy ?? false });
  void http.register(fastifyWebsocket, { options: { maxPayload: MAX_WS_PAYLOAD } });
  void http.register(fastifyMultipart, { limits: { fileSize: bodyLimit, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });
  return http;
}

export function mountCore(
  http: FastifyInstance,
  deps: { store: Store; files: Files; metrics: Metrics; bots: () => string[]; platforms: () => Record<string, PlatformState> },
): void {
  const storeUp = async (): Promise<boolean> => {
    try {
      await Promise.race([deps.store.ping(), new Promise((_r, rej) => setTimeout(() => rej(new Error('store timeout')), 1000).unref())]);
      return true;
    } catch {
      return false;
    }
  };
  // Liveness: the process answers and reaches its store.
  http.get('/healthz', async (_req, reply) => {
    if (await storeUp()) return { status: 'ok', store: deps.store.kind, platforms: deps.bots() };
    return reply.code(503).send({ status: 'degraded', store: deps.store.kind, reason: 'store unreachable', platforms: deps.bots() });
  });
  // Readiness: the store answers and every configured platform is connected (or on standby
  // while another process holds its single connection).
  http.get('/readyz', async (_req, reply) => {
    const store = (await storeUp()) ? 'ok' : 'unreachable';
    const platforms = deps.platforms();
    const ready = store === 'ok' && Object.values(platforms).every((p) => p.state === 'up' || p.state === 'standby');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', store, platforms });
  });
  http.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  http.get<{ Params: { id: string; name: string } }>('/files/:id/:name', async (req, reply) => {
    const meta = await deps.files.meta(req.params.id);
    const data = meta ? await deps.files.read(req.params.id) : null;
    if (!meta || !data) return reply.code(404).send({ error: 'no such file' });
    const inline = /^(image|video|audio)\//.test(meta.mime) && meta.mime !== 'image/svg+xml';
    return reply
      .header('content-type', inline ? meta.mime : 'application/octet-stream')
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(Buffer.from(data));
  });
}
