/**
 * The one way the bridge downloads a file a platform points it at (every bot goes through it,
 * via `BotContext.download`). A URL in a message is hostile until checked:
 *  - only hosts the platform is known to serve files from, or hosts the operator configured;
 *  - no loopback, private, link-local, metadata or other non-public address, checked on the
 *    addresses DNS returns and connected to exactly those (no DNS rebinding), unless the host is
 *    one the operator configured (a self-hosted server on a LAN) or `DOWNLOAD_ALLOW_HOSTS` lists it;
 *  - at most `maxRedirects` redirects, each checked again; credentials never follow a redirect
 *    to another origin;
 *  - streamed with a byte counter that aborts past the limit, within one total timeout.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch } from 'undici';

export type DownloadErrorCode = 'refused_host' | 'refused_address' | 'too_large' | 'timeout' | 'redirects' | 'http' | 'network';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  /** Operator's allow-list (`DOWNLOAD_ALLOW_HOSTS`): allowed for every platform, private addresses included. */
  readonly allowHosts: readonly string[];
}

export interface DownloadRequest {
  /** Public hosts this platform serves files from: `host`, `host:port` or `*.domain` (its subdomains). */
  readonly hosts?: readonly string[];
  /** Hosts (or URLs) the operator configured for this platform: allowed, and may resolve to private addresses. */
  readonly configured?: readonly string[];
  /** Sent to the first origin only (e.g. a bearer token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Lower than the global limit (a platform's own). */
  readonly maxBytes?: number;
}

export type Download = (url: string, req?: DownloadRequest) => Promise<Uint8Array>;

/** `https://h:1/x` or `h:1` or `h` → a host pattern; undefined for garbage. */
export function hostPattern(entry: string): string | undefined {
  const e = entry.trim().toLowerCase();
  if (!e) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(e)) {
    try {
      return new URL(e).host;
    } catch {
      return undefined;
    }
  }
  return e.replace(/\/.*$/, '');
}

/** Whether `url`'s host matches one pattern: `host` (any port), `host:port`, or `*.domain` (its subdomains). */
export function hostMatches(url: URL, patterns: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return patterns.some((raw) => {
    const p = hostPattern(raw);
    if (!p) return false;
    if (p.startsWith('*.')) return hostname.endsWith(p.slice(1));
    return p === host || p === hostname;
  });
}

/** Only ordinary public unicast addresses: no loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address); // IPv4-mapped IPv6 → IPv4
  if (ip.range() !== 'unicast') return false;
  // ipaddr.js calls a few special IPv6 prefixes unicast; refuse NAT64 and 6to4 (they can embed private IPv4).
  if (ip.kind() === 'ipv6') {
    const s = ip.toNormalizedString();
    if (s.startsWith('64:ff9b:') || s.startsWith('2002:')) return false;
  }
  return true;
}

/** A DNS lookup that fails unless every address is public; the connection then uses exactly these. */
function checkedLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad || addresses.length === 0) {
        const e = new DownloadError('refused_address', `download refused: ${hostname} resolves to a non-public address`);
        return callback(Object.assign(e, { errno: 0, syscall: 'lookup' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

export class Downloader {
  private readonly open: Agent;
  private readonly checked: Agent;

  constructor(readonly limits: DownloadLimits) {
    this.open = new Agent({ connect: { timeout: limits.timeoutMs } });
    this.checked = new Agent({ connect: { timeout: limits.timeoutMs, lookup: checkedLookup() } });
  }

  /** Download `url` under the limits; throws DownloadError. */
  readonly download: Download = async (url, req = {}) => {
    const maxBytes = Math.min(req.maxBytes ?? this.limits.maxBytes, this.limits.maxBytes);
    const trusted = [...(req.configured ?? []), ...this.limits.allowHosts];
    const allowed = [...(req.hosts ?? []), ...trusted];
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    let current = parseUrl(url);
    const origin = current.origin;
    for (let hop = 0; ; hop++) {
      if (!hostMatches(current, allowed)) throw new DownloadError('refused_host', `download refused: ${current.host} is not a file host of this platform`);
      const privateOk = hostMatches(current, trusted);
      const literal = current.hostname.replace(/^\[|\]$/g, '');
      if (!privateOk && isIP(literal) && !isPublicAddress(literal)) {
        throw new DownloadError('refused_address', `download refused: ${current.host} is not a public address`);
      }
      const res = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: current.origin === origin ? { ...req.headers } : {},
        dispatcher: privateOk ? this.open : this.checked,
      }).catch((err: unknown) => {
        throw wrap(err, signal);
      });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= this.limits.maxRedirects) throw new DownloadError('redirects', `download refused: more than ${this.limits.maxRedirects} redirects`);
        current = parseUrl(new URL(res.headers.get('location') as string, current).toString());
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('http', `download failed: HTTP ${res.status} from ${current.host}`, res.status);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('too_large', `download refused: ${declared} bytes is over the ${maxBytes} byte limit`);
      }
      return readCapped(res.body, maxBytes, signal);
    }
  };

  async close(): Promise<void> {
    await Promise.all([this.open.close(), this.checked.close()]);
  }
}

function parseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DownloadError('refused_host', 'download refused: not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new DownloadError('refused_host', `download refused: ${u.protocol} URLs are not fetched`);
  if (u.username || u.password) throw new DownloadError('refused_host', 'download refused: URL carries credentials');
  return u;
}

async function readCapped(body: AsyncIterable<Uint8Array> | null, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    // Leaving the loop early (the throw below) cancels the stream and closes the connection.
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new DownloadError('too_large', `download refused: more than the ${maxBytes} byte limit`);
      chunks.push(chunk);
    }
  } catch (err) {
    throw wrap(err, signal);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function wrap(err: unknown, signal: AbortSignal): DownloadError {
  if (err instanceof DownloadError) return err;
  if (signal.aborted) return new DownloadError('timeout', 'download took too long');
  const cause = err instanceof Error && err.cause instanceof DownloadError ? err.cause : undefined;
  if (cause) return cause;
  const e = new DownloadError('network', `download failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : 'network error'}`);
  return Object.assign(e, { cause: err });
}
