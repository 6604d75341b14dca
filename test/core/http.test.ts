/** The one HTTP server's own bounds: generic 5xx bodies, who reads /metrics, which proxy is trusted. */
import { describe, expect, it } from 'vitest';
import { createHttp, createMetricsHttp, mountCore } from '../../src/http.js';
import { parseTrustProxy, type HttpLimits } from '../../src/limits.js';
import { Metrics } from '../../src/metrics.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { DEFAULT_RETRY } from '../../src/queue/queue.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { Files } from '../../src/files.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE: HttpLimits = { bodyBytes: 1024, requestTimeoutMs: 5000, headersTimeoutMs: 5000, idleTimeoutMs: 5000, maxConnections: 100, trustProxy: false };

function server(limits: Partial<HttpLimits> = {}): ReturnType<typeof createHttp> {
  const l = { ...BASE, ...limits };
  const http = createHttp(l);
  const dir = mkdtempSync(join(tmpdir(), 'sr-http-'));
  const store = new EmbeddedStore(dir);
  const metrics = new Metrics(new MemoryQueue(store, DEFAULT_RETRY));
  const files = new Files(store, 'http://x', { dir: join(dir, 'files'), maxBytes: 1024, uploadTtlMs: 1000, ttlMs: 1000, roomBudgetBytes: 1, addressBudgetBytes: 1, budgetWindowMs: 1 });
  mountCore(http, { store, files, metrics, limits: l, bots: () => [], platforms: () => ({}) });
  http.get('/boom', async () => {
    throw new Error('SDK said: token xoxb-123 is invalid at /internal/path');
  });
  http.get('/ip', async (req) => ({ ip: req.ip }));
  return http;
}

describe('HTTP server bounds', () => {
  it('answers a 5xx with a generic body; the details stay in the log', async () => {
    const http = server();
    const res = await http.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error' });
    expect(res.body).not.toContain('xoxb');
  });

  it('refuses a body over the limit with 413 before any route sees it', async () => {
    const http = server();
    const res = await http.inject({ method: 'POST', url: '/api/anything', headers: { 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(2000)}"}` });
    expect(res.statusCode).toBe(413);
  });

  it('serves /metrics to a direct local caller, with the token, or on its own port only', async () => {
    const local = await server().inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    const proxied = await server().inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect(proxied.statusCode).toBe(404);
    const withToken = server({ metricsToken: 'scrape-secret' });
    expect((await withToken.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(404);
    expect((await withToken.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })).statusCode).toBe(200);
    expect((await server({ metricsPort: 9100 }).inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(404);
    const dir = mkdtempSync(join(tmpdir(), 'sr-m-'));
    const own = createMetricsHttp(new Metrics(new MemoryQueue(new EmbeddedStore(dir), DEFAULT_RETRY)));
    expect((await own.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('takes the client address from the trusted hops only, never the left-most X-Forwarded-For', async () => {
    const forged = { 'x-forwarded-for': '6.6.6.6, 198.51.100.7' };
    const oneHop = server({ trustProxy: 1 });
    expect((await oneHop.inject({ method: 'GET', url: '/ip', remoteAddress: '10.0.0.2', headers: forged })).json()).toEqual({ ip: '198.51.100.7' });
    const named = server({ trustProxy: ['10.0.0.2'] });
    expect((await named.inject({ method: 'GET', url: '/ip', remoteAddress: '10.0.0.2', headers: forged })).json()).toEqual({ ip: '198.51.100.7' });
    expect((await named.inject({ method: 'GET', url: '/ip', remoteAddress: '10.0.0.9', headers: forged })).json()).toEqual({ ip: '10.0.0.9' });
    expect((await server().inject({ method: 'GET', url: '/ip', remoteAddress: '10.0.0.2', headers: forged })).json()).toEqual({ ip: '10.0.0.2' });
  });

  it('reads TRUST_PROXY as off, a hop count, or proxy addresses', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(1);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.2, 10.1.0.0/16')).toEqual(['10.0.0.2', '10.1.0.0/16']);
    expect(() => parseTrustProxy('yes please')).toThrow(/TRUST_PROXY/);
  });
});
