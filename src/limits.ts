/**
 * Bounds on what a stranger on the internet can make the bridge do: request sizes and timeouts,
 * connections, WebSockets, downloads, stored bytes. Every key is in `.env.example` and in
 * docs/operations.md ("Limits").
 */
import { isIP } from 'node:net';
import { int } from './config.js';
import type { DownloadLimits } from './download.js';

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

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `TRUST_PROXY`: `false`/empty, a hop count (`true` means one hop), or a comma list of proxy addresses/CIDRs. */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return 1;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = list(v);
  for (const e of entries) {
    if (!isIP(e.split('/')[0] ?? '') && !['loopback', 'linklocal', 'uniquelocal'].includes(e)) {
      throw new Error(`TRUST_PROXY must be false, a hop count, or proxy addresses (CIDRs allowed), got "${e}"`);
    }
  }
  return entries;
}

export function loadLimits(env: NodeJS.ProcessEnv, maxFileBytes: number, defaultFilesDir: string): Limits {
  const metricsPort = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0) : undefined;
  return {
    http: {
      bodyBytes: int(env, 'MAX_BODY_KB', 1024) * 1024,
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 60_000),
      headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000),
      idleTimeoutMs: int(env, 'IDLE_TIMEOUT_MS', 30_000),
      maxConnections: int(env, 'MAX_CONNECTIONS', 2000),
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
    },
    ws: {
      perAddress: int(env, 'WS_MAX_PER_ADDRESS', 20),
      total: int(env, 'WS_MAX_TOTAL', 1000),
      origins: list(env.WS_ALLOWED_ORIGINS).map((o) => o.replace(/\/+$/, '')),
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_KB', 4096) * 1024,
    },
    download: {
      maxBytes: maxFileBytes,
      timeoutMs: int(env, 'DOWNLOAD_TIMEOUT_MS', 60_000),
      maxRedirects: int(env, 'DOWNLOAD_MAX_REDIRECTS', 3),
      allowHosts: list(env.DOWNLOAD_ALLOW_HOSTS),
    },
    files: {
      dir: env.FILES_DIR || defaultFilesDir,
      maxBytes: maxFileBytes,
      uploadTtlMs: int(env, 'UPLOAD_TTL_MINUTES', 60) * 60_000,
      ttlMs: int(env, 'FILE_TTL_DAYS', 30) * 24 * 3600_000,
      roomBudgetBytes: int(env, 'ROOM_FILE_BUDGET_MB', 1024) * 1024 * 1024,
      addressBudgetBytes: int(env, 'ADDRESS_UPLOAD_BUDGET_MB', 200) * 1024 * 1024,
      budgetWindowMs: 24 * 3600_000,
    },
  };
}
