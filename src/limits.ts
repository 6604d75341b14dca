/**
 * Bounds on what a stranger on the internet can make the bridge do: request sizes and timeouts,
 * connections, WebSockets, downloads, stored bytes. Every key is in `.env.example` and in
 * docs/operations.md ("Limits").
 */
import { isIP } from 'node:net';
import type { DownloadLimits } from './download.js';
import type { EnvKey, EnvValues } from './env.js';

export interface HttpLimits {
  /** Webhooks and JSON APIs: largest body read (the upload route has its own limit, MAX_FILE_MB). */
  readonly bodyBytes: number;
  /** A whole request, body included, must arrive within this (slow bodies). */
  readonly requestTimeoutMs: number;
  /** Headers must arrive within this. */
  readonly headersTimeoutMs: number;
  /** A connection with no traffic is closed after this. */
  readonly idleTimeoutMs: number;
  /** Open connections at most (more are refused at once). */
  readonly maxConnections: number;
  /** Fastify `trustProxy`: false, a hop count, or the proxies' addresses/CIDRs. */
  readonly trustProxy: false | number | string[];
  /** /metrics on its own listener (HOST:METRICS_PORT) instead of the public one. */
  readonly metricsPort?: number;
  /** /metrics on the public listener only with `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
}

export interface WsLimits {
  readonly perAddress: number;
  readonly total: number;
  /** Origins allowed besides PUBLIC_URL's. */
  readonly origins: readonly string[];
  /** A client whose unread bytes pass this is disconnected. */
  readonly maxBufferedBytes: number;
}

export interface FileLimits {
  /** Where file bytes live: one directory, shared (a common volume) by every process of one bridge. */
  readonly dir: string;
  readonly maxBytes: number;
  /** An upload not posted within this expires. */
  readonly uploadTtlMs: number;
  /** A bridged file is kept this long. */
  readonly ttlMs: number;
  /** Bytes one room may store per budget window. */
  readonly roomBudgetBytes: number;
  /** Bytes one client address may upload per budget window. */
  readonly addressBudgetBytes: number;
  readonly budgetWindowMs: number;
}

export interface Limits {
  readonly http: HttpLimits;
  readonly ws: WsLimits;
  readonly download: DownloadLimits;
  readonly files: FileLimits;
}

/** The limits' keys, declared with the core's (CORE_ENV in src/config.ts), in their own block. */
export const LIMITS_ENV: readonly EnvKey[] = [
  { key: 'TRUST_PROXY', kind: 'string', default: 'false', doc: 'behind a reverse proxy: how many proxies (a hop count; `true` = 1) or which proxy addresses (comma list, CIDRs allowed) to trust; client addresses (rate limits, budgets) are then read from X-Forwarded-For. `false`: the peer address' },
  { key: 'MAX_BODY_KB', kind: 'number', min: 0, integer: false, default: '1024', doc: 'largest webhook or JSON body (KiB), refused before parsing; only web uploads take `MAX_FILE_MB`' },
  { key: 'REQUEST_TIMEOUT_MS', kind: 'number', min: 0, default: '60000', doc: 'a whole request, body included, must arrive within this (ms)' },
  { key: 'HEADERS_TIMEOUT_MS', kind: 'number', min: 0, default: '10000', doc: "a request's headers must arrive within this (ms)" },
  { key: 'IDLE_TIMEOUT_MS', kind: 'number', min: 0, default: '30000', doc: 'a connection with no traffic is closed after this (ms)' },
  { key: 'MAX_CONNECTIONS', kind: 'number', min: 0, default: '2000', doc: 'open connections at most; more are refused at once' },
  { key: 'METRICS_PORT', kind: 'number', min: 0, max: 65535, doc: '`/metrics` on its own listener (`HOST:METRICS_PORT`) instead of the public one; neither this nor `METRICS_TOKEN` set: only direct, unproxied requests from this machine' },
  { key: 'METRICS_TOKEN', kind: 'string', secret: true, doc: '`/metrics` on the public listener only with `Authorization: Bearer <token>`' },
  { key: 'WS_MAX_PER_ADDRESS', kind: 'number', min: 0, default: '20', doc: 'web chat WebSockets per client address' },
  { key: 'WS_MAX_TOTAL', kind: 'number', min: 0, default: '1000', doc: 'web chat WebSockets in total' },
  { key: 'WS_ALLOWED_ORIGINS', kind: 'list', doc: "page origins allowed to open the web chat's WebSocket besides `PUBLIC_URL`'s (comma list)" },
  { key: 'WS_MAX_BUFFERED_KB', kind: 'number', min: 0, integer: false, default: '4096', doc: 'a WebSocket client whose unread bytes pass this (KiB) is disconnected' },
  { key: 'DOWNLOAD_TIMEOUT_MS', kind: 'number', min: 0, default: '60000', doc: 'total time for one download of a file a platform points at (ms)' },
  { key: 'DOWNLOAD_MAX_REDIRECTS', kind: 'number', min: 0, default: '3', doc: 'redirects one download may follow' },
  { key: 'DOWNLOAD_ALLOW_HOSTS', kind: 'list', doc: 'hosts every platform may download from (comma list of `host`, `host:port` or `*.domain`; these may be private addresses)' },
  { key: 'FILES_DIR', kind: 'string', doc: 'where file bytes live: a directory shared by every process of one bridge; default `DATA_DIR/files`' },
  { key: 'UPLOAD_TTL_MINUTES', kind: 'number', min: 0, integer: false, default: '60', doc: 'an upload no message carries expires after this' },
  { key: 'FILE_TTL_DAYS', kind: 'number', min: 0, integer: false, default: '30', doc: 'a bridged file is kept this long' },
  { key: 'ROOM_FILE_BUDGET_MB', kind: 'number', min: 0, integer: false, default: '1024', doc: 'bytes per day one room may store' },
  { key: 'ADDRESS_UPLOAD_BUDGET_MB', kind: 'number', min: 0, integer: false, default: '200', doc: 'bytes per day one client address may upload' },
];

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `TRUST_PROXY`: `false`/empty, a hop count (`true` means one hop), or a comma list of proxy addresses/CIDRs. */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'no' || v === 'off' || v === '0') return false;
  if (v === 'true' || v === 'yes' || v === 'on') return 1;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = list(v);
  for (const e of entries) {
    if (!isIP(e.split('/')[0] ?? '') && !['loopback', 'linklocal', 'uniquelocal'].includes(e)) {
      throw new Error(`TRUST_PROXY must be false, a hop count, or proxy addresses (CIDRs allowed), got "${e}"`);
    }
  }
  return entries;
}

/** The limits from the parsed core keys; a bad value is added to `errors` (reported with the others). */
export function loadLimits(v: EnvValues, errors: string[], maxFileBytes: number, defaultFilesDir: string): Limits {
  let trustProxy: false | number | string[] = false;
  try {
    trustProxy = parseTrustProxy(v.str('TRUST_PROXY'));
  } catch (err) {
    errors.push((err as Error).message);
  }
  const metricsPort = v.num('METRICS_PORT');
  const metricsToken = v.str('METRICS_TOKEN');
  const num = (key: string, fallback: number): number => v.num(key) ?? fallback;
  return {
    http: {
      bodyBytes: num('MAX_BODY_KB', 1024) * 1024,
      requestTimeoutMs: num('REQUEST_TIMEOUT_MS', 60_000),
      headersTimeoutMs: num('HEADERS_TIMEOUT_MS', 10_000),
      idleTimeoutMs: num('IDLE_TIMEOUT_MS', 30_000),
      maxConnections: num('MAX_CONNECTIONS', 2000),
      trustProxy,
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(metricsToken ? { metricsToken } : {}),
    },
    ws: {
      perAddress: num('WS_MAX_PER_ADDRESS', 20),
      total: num('WS_MAX_TOTAL', 1000),
      origins: v.list('WS_ALLOWED_ORIGINS').map((o) => o.replace(/\/+$/, '')),
      maxBufferedBytes: num('WS_MAX_BUFFERED_KB', 4096) * 1024,
    },
    download: {
      maxBytes: maxFileBytes,
      timeoutMs: num('DOWNLOAD_TIMEOUT_MS', 60_000),
      maxRedirects: num('DOWNLOAD_MAX_REDIRECTS', 3),
      allowHosts: [...v.list('DOWNLOAD_ALLOW_HOSTS')],
    },
    files: {
      dir: v.str('FILES_DIR') ?? defaultFilesDir,
      maxBytes: maxFileBytes,
      uploadTtlMs: num('UPLOAD_TTL_MINUTES', 60) * 60_000,
      ttlMs: num('FILE_TTL_DAYS', 30) * 24 * 3600_000,
      roomBudgetBytes: num('ROOM_FILE_BUDGET_MB', 1024) * 1024 * 1024,
      addressBudgetBytes: num('ADDRESS_UPLOAD_BUDGET_MB', 200) * 1024 * 1024,
      budgetWindowMs: 24 * 3600_000,
    },
  };
}
