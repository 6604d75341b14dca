/**
 * A small typed Mattermost REST v4 client over Node's fetch (transport only). The bot token
 * travels only in the Authorization header; errors name the method and path, never the token.
 * No retries: the bridge's delivery queue retries.
 */
import type { Download } from '../../src/download.js';
import { DeliveryError, fromHttpStatus, unavailable } from '../../src/errors.js';
import { isRecord, str, type MmFileInfo } from './types.js';

export class MattermostClient {
  readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' });
    const parsed: unknown = await res.json().catch(() => undefined);
    if (!isRecord(parsed)) throw unavailable(`mattermost ${method} ${path}: reply is not a JSON object`);
    return parsed as T;
  }

  /** POST /files: multipart with `channel_id` then the file part `files`. */
  async upload(channelId: string, name: string, mime: string, bytes: Uint8Array): Promise<MmFileInfo> {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', new Blob([new Uint8Array(bytes)], { type: mime || 'application/octet-stream' }), name);
    const res = await this.request('POST', `/api/v4/files?channel_id=${encodeURIComponent(channelId)}`, { body: form });
    const parsed: unknown = await res.json().catch(() => undefined);
    const info = isRecord(parsed) && Array.isArray(parsed.file_infos) ? (parsed.file_infos[0] as unknown) : undefined;
    if (!isRecord(info) || typeof info.id !== 'string') throw unavailable('mattermost POST /api/v4/files: no file_infos in reply');
    return info as unknown as MmFileInfo;
  }

  /** Download a file from the configured server (the bridge's fetcher: capped, timed, no redirect elsewhere). */
  bytes(path: string, download: Download): Promise<Uint8Array> {
    return download(this.base + path, { configured: [this.base], headers: { authorization: `Bearer ${this.token}`, 'x-requested-with': 'XMLHttpRequest' } });
  }

  private async request(method: string, path: string, opts: { body?: string | FormData; type?: string }): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, 'x-requested-with': 'XMLHttpRequest' };
    if (opts.type) headers['content-type'] = opts.type;
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: opts.body });
    } catch (err) {
      throw unavailable(`mattermost ${method} ${path}: ${err instanceof Error ? err.message : 'network error'}`);
    }
    if (!res.ok) throw await toError(res, method, path.replace(/\?.*$/, ''));
    return res;
  }
}

/**
 * Errors are `{id, message, status_code}` JSON; the rate limiter answers 429 with plain text
 * and `X-RateLimit-Reset` / `Retry-After` in seconds.
 */
async function toError(res: Response, method: string, path: string): Promise<DeliveryError> {
  const text = await res.text().catch(() => '');
  let detail = text.slice(0, 200);
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) detail = [str(body.id), str(body.message)].filter(Boolean).join(': ');
  } catch {
    // plain text body (the rate limiter's "limit exceeded")
  }
  const seconds = [res.headers.get('retry-after'), res.headers.get('x-ratelimit-reset')]
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
  const retryMs = seconds.length ? Math.max(...seconds) * 1000 : undefined;
  return fromHttpStatus(res.status, `mattermost ${method} ${path}: ${res.status} ${detail}`.trim(), retryMs);
}
