/** The one HTTP server: health, metrics, stored files; platforms and the web UI add their routes. */
import fastifyMultipart from '@fastify/multipart';
import fastifyWebsocket from '@fastify/websocket';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Files } from './files.js';
import type { HttpLimits } from './limits.js';
import type { Metrics } from './metrics.js';
import type { PlatformState } from './platforms.js';
import type { Store } from './store/store.js';

/** WebSocket frames above this close the connection (the web platform refuses smaller ones politely). */
const MAX_WS_PAYLOAD = 1024 * 1024;

const DEFAULT_LIMITS: HttpLimits = {
  bodyBytes: 1024 * 1024,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxConnections: 2000,
  trustProxy: false,
};

/**
 * The server, with WebSocket and multipart support registered once for everyone. Register
 * WebSocket routes inside a plugin (`http.register(async (app) => …)`) so they load after it.
 * Bodies above `bodyBytes` are refused (413) before any parsing; only the upload route, which
 * streams its multipart body to disk, takes files up to `maxFileBytes`.
 */
export function createHttp(limits: HttpLimits = DEFAULT_LIMITS, opts: { log?: Logger; maxFileBytes?: number } = {}): FastifyInstance {
  const http = Fastify({
    bodyLimit: limits.bodyBytes,
    // A hop count n trusts the n nearest proxies (the right-most X-Forwarded-For entries), never the client's own.
    trustProxy: typeof limits.trustProxy === 'number' ? trustHops(limits.trustProxy) : limits.trustProxy,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: Math.min(5000, limits.idleTimeoutMs),
    // Node checks request and header timeouts on this interval (30 s by default).
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)) },
  });
  http.server.maxConnections = limits.maxConnections;
  http.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      // The details (an SDK's error text, a path, a stack) go to the log only.
      opts.log?.error({ err, method: req.method, url: req.routeOptions.url }, 'request failed');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: err.message });
  });
  void http.register(fastifyWebsocket, { options: { maxPayload: MAX_WS_PAYLOAD } });
  const fileSize = opts.maxFileBytes ?? limits.bodyBytes;
  void http.register(fastifyMultipart, { limits: { fileSize, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });
  return http;
}

function trustHops(n: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < n;
}

/** Whether a request may read /metrics on the public listener. */
function metricsAllowed(req: FastifyRequest, limits: HttpLimits): boolean {
  if (limits.metricsPort !== undefined) return false;
  if (limits.metricsToken !== undefined) {
    const got = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${limits.metricsToken}`);
    return got.length === want.length && timingSafeEqual(got, want);
  }
  // Neither key set: only a direct, unproxied caller on this host (a proxy adds X-Forwarded-For).
  const peer = req.socket.remoteAddress ?? '';
  return (peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1') && req.headers['x-forwarded-for'] === undefined;
}

/** /metrics on its own listener (METRICS_PORT), for a scraper on a private network. */
export function createMetricsHttp(metrics: Metrics): FastifyInstance {
  const app = Fastify({ bodyLimit: 1024, requestTimeout: 10_000, connectionTimeout: 30_000 });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}

export function mountCore(
  http: FastifyInstance,
  deps: { store: Store; files: Files; metrics: Metrics; limits: HttpLimits; bots: () => string[]; platforms: () => Record<string, PlatformState> },
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
  http.get('/metrics', async (req, reply) => {
    if (!metricsAllowed(req, deps.limits)) return reply.code(404).send({ error: 'not found' });
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  http.get<{ Params: { id: string; name: string } }>('/files/:id/:name', async (req, reply) => {
    const meta = await deps.files.meta(req.params.id);
    const data = meta ? await deps.files.open(req.params.id) : null;
    if (!meta || !data) return reply.code(404).send({ error: 'no such file' });
    const inline = /^(image|video|audio)\//.test(meta.mime) && meta.mime !== 'image/svg+xml';
    return reply
      .header('content-type', inline ? meta.mime : 'application/octet-stream')
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .header('content-length', String(meta.size))
      .send(data);
  });
}
