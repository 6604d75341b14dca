/**
 * A small typed Matrix Client-Server API client over Node's fetch (transport only).
 * The access token travels only in the Authorization header; errors carry the method and
 * path, never the token. No retries here: the bridge's delivery queue retries.
 */
import { DeliveryError, fromHttpStatus, rateLimited, unavailable } from '../../src/errors.js';
import { isRecord, str } from './types.js';

export interface CallOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export class MatrixClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** Call a JSON endpoint; `path` starts with `/_matrix/`. */
  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const body: unknown = await res.json().catch(() => undefined);
    if (!isRecord(body)) throw unavailable(`matrix ${method} ${path}: reply is not a JSON object`);
    return body as T;
  }

  /** Download bytes (authenticated media). */
  async bytes(path: string, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.send('GET', path, { signal });
    return new Uint8Array(await res.arrayBuffer());
  }

  private async send(method: string, path: string, opts: CallOptions): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (opts.bytes) {
      body = new Uint8Array(opts.bytes);
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw unavailable(`matrix ${method} ${path}: ${err instanceof Error ? err.message : 'network error'}`);
    }
    if (!res.ok) throw await toError(res, method, path);
    return res;
  }
}

/**
 * The homeserver no longer knows the access token (401 M_UNKNOWN_TOKEN): it expired (Matrix
 * Authentication Service tokens last minutes; `softLogout`) or was logged out. Retrying with the
 * same token never helps.
 */
export class MatrixTokenError extends DeliveryError {
  constructor(
    message: string,
    readonly softLogout: boolean,
  ) {
    // Not the message's fault: deliveries wait and retry (dead letters can be replayed) until the token is replaced.
    super('unavailable', message);
  }
}

/** Map a failed reply (`{errcode, error, retry_after_ms}`) to a DeliveryError. */
async function toError(res: Response, method: string, path: string): Promise<DeliveryError> {
  const body: unknown = await res.json().catch(() => undefined);
  const errcode = isRecord(body) ? str(body.errcode) : undefined;
  const error = isRecord(body) ? str(body.error) : undefined;
  const msg = `matrix ${method} ${path}: ${res.status} ${errcode ?? ''} ${error ?? ''}`.trim();
  const retryMs = isRecord(body) && typeof body.retry_after_ms === 'number' ? body.retry_after_ms : retryAfterHeader(res);
  if (res.status === 429 || errcode === 'M_LIMIT_EXCEEDED') return rateLimited(msg, retryMs ?? 1000);
  if (errcode === 'M_UNKNOWN_TOKEN') return new MatrixTokenError(msg, isRecord(body) && body.soft_logout === true);
  if (errcode === 'M_FORBIDDEN') return new DeliveryError('forbidden', msg);
  if (errcode === 'M_NOT_FOUND') return new DeliveryError('not_found', msg);
  return fromHttpStatus(res.status, msg, retryMs);
}

function retryAfterHeader(res: Response): number | undefined {
  const v = Number(res.headers.get('retry-after'));
  return Number.isFinite(v) && v > 0 ? v * 1000 : undefined;
}
