/**
 * A small typed Rocket.Chat REST client over Node's fetch (transport only). Credentials travel
 * in the `X-User-Id` / `X-Auth-Token` headers only; errors name the method and path, never the
 * token. No retries: the bridge's delivery queue retries.
 */
import type { Download } from '../../src/download.js';
import { DeliveryError, fromHttpStatus, rateLimited, unavailable } from '../../src/errors.js';
import { isRecord, str } from './types.js';

export class RocketChatClient {
  readonly base: string;

  constructor(
    baseUrl: string,
    private readonly userId: string,
    private readonly token: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const qs = new URLSearchParams(query).toString();
    return this.json<T>('GET', qs ? `${path}?${qs}` : path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, JSON.stringify(body), 'application/json');
  }

  /** `POST /api/v1/rooms.media/{rid}`: multipart with the part `file`. */
  upload<T>(path: string, name: string, mime: string, bytes: Uint8Array): Promise<T> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: mime || 'application/octet-stream' }), name);
    return this.json<T>('POST', path, form);
  }

  /** Download a server-relative path (`/file-upload/…`) with the bot's credentials. */
  bytes(path: string, download: Download): Promise<Uint8Array> {
    return download(this.base + path, { configured: [this.base], headers: { 'x-user-id': this.userId, 'x-auth-token': this.token } });
  }

  private async json<T>(method: string, path: string, body?: string | FormData, type?: string): Promise<T> {
    const res = await this.request(method, path, body, type);
    const parsed: unknown = await res.json().catch(() => undefined);
    if (!isRecord(parsed)) throw unavailable(`rocketchat ${method} ${strip(path)}: reply is not a JSON object`);
    if (parsed.success === false) throw new DeliveryError('rejected', `rocketchat ${method} ${strip(path)}: ${str(parsed.error) ?? 'failed'}`);
    return parsed as T;
  }

  private async request(method: string, path: string, body?: string | FormData, type?: string): Promise<Response> {
    const headers: Record<string, string> = { 'x-user-id': this.userId, 'x-auth-token': this.token };
    if (type) headers['content-type'] = type;
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body });
    } catch (err) {
      throw unavailable(`rocketchat ${method} ${strip(path)}: ${err instanceof Error ? err.message : 'network error'}`);
    }
    if (!res.ok) throw await toError(res, method, strip(path));
    return res;
  }
}

function strip(path: string): string {
  return path.replace(/\?.*$/, '');
}

/**
 * Failures are `{success:false, error, errorType?}`. The REST rate limiter answers 429 with
 * `error-too-many-requests` and `X-RateLimit-Reset` as an absolute epoch in milliseconds.
 */
async function toError(res: Response, method: string, path: string): Promise<DeliveryError> {
  const body: unknown = await res.json().catch(() => undefined);
  const error = isRecord(body) ? (str(body.error) ?? str(body.message) ?? '') : '';
  const msg = `rocketchat ${method} ${path}: ${res.status} ${error}`.trim();
  if (res.status === 429 || error.includes('error-too-many-requests')) {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const fromReset = Number.isFinite(reset) && reset > 0 ? reset - Date.now() : NaN;
    const seconds = /wait (\d+) seconds/.exec(error)?.[1];
    const wait = fromReset > 0 ? fromReset : seconds ? Number(seconds) * 1000 : 1000;
    return rateLimited(msg, Math.ceil(wait));
  }
  return fromHttpStatus(res.status, msg);
}
