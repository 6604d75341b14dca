/**
 * A small typed GroupMe client on Node's own fetch: the user API (groups, bots), `bots/post`
 * and the image service. No retries here: the bridge's delivery queue retries, so every
 * failure surfaces as a DeliveryError (429 with its wait, 5xx unavailable, 4xx permanent).
 *
 * The access token travels in the `X-Access-Token` header, never in a URL, so no URL or error
 * message carries it. Bot ids and callback paths are secrets too: errors name the endpoint only.
 */
import type { Download } from '../../src/download.js';
import { DeliveryError, fromHttpStatus } from '../../src/errors.js';
import {
  isRecord,
  parseBot,
  parseGroup,
  type BotInfo,
  type BotPostRequest,
  type CreateBotRequest,
  type GroupInfo,
} from './types.js';

export interface GroupMeClientOptions {
  readonly apiUrl: string;
  readonly imageUrl: string;
  readonly token: string;
  /** Page size asked of `GET /groups`. */
  readonly perPage?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** Stop paging `GET /groups` after this many pages (a server that never returns an empty page). */
const MAX_PAGES = 200;

export class GroupMeClient {
  private readonly api: string;
  private readonly image: string;
  private readonly perPage: number;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: GroupMeClientOptions) {
    this.api = opts.apiUrl.replace(/\/+$/, '');
    this.image = opts.imageUrl.replace(/\/+$/, '');
    this.perPage = opts.perPage ?? 100;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.doFetch = opts.fetch ?? fetch;
  }

  /** Every group the account is in: `GET /groups`, page by page until an empty page. */
  async listGroups(): Promise<GroupInfo[]> {
    const out: GroupInfo[] = [];
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = new URLSearchParams({ page: String(page), per_page: String(this.perPage), omit: 'memberships' });
      const data = await this.user('GET', `/groups?${query}`, 'list groups');
      if (!Array.isArray(data) || data.length === 0) break;
      for (const g of data.map(parseGroup)) {
        if (g && !seen.has(g.id)) {
          seen.add(g.id);
          out.push(g);
        }
      }
    }
    return out;
  }

  /** The bots this account created (`GET /bots`). */
  async listBots(): Promise<BotInfo[]> {
    const data = await this.user('GET', '/bots', 'list bots');
    return Array.isArray(data) ? data.map(parseBot).filter((b): b is BotInfo => b !== undefined) : [];
  }

  async createBot(req: CreateBotRequest): Promise<BotInfo> {
    const data = await this.user('POST', '/bots', 'create bot', req);
    // The reply is `{bot: {...}}`; accept a bare bot object too.
    const bot = parseBot(isRecord(data) && 'bot' in data ? data.bot : data);
    if (!bot) throw new DeliveryError('unavailable', 'GroupMe create bot: reply carries no bot');
    return bot;
  }

  async destroyBot(botId: string): Promise<void> {
    await this.user('POST', '/bots/destroy', 'destroy bot', { bot_id: botId });
  }

  /** `POST /bots/post` → 202 with no body: GroupMe gives no message id here. */
  async postAsBot(req: BotPostRequest): Promise<void> {
    const res = await this.call(`${this.api}/bots/post`, 'post message', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
    });
    await res.arrayBuffer();
  }

  /** Re-host an image on GroupMe's image service; returns its i.groupme.com URL. */
  async uploadImage(bytes: Uint8Array, mime: string): Promise<string> {
    const res = await this.call(`${this.image}/pictures`, 'upload image', {
      method: 'POST',
      headers: { 'x-access-token': this.opts.token, 'content-type': mime },
      body: new Uint8Array(bytes),
    });
    const body: unknown = await res.json().catch(() => undefined);
    const payload = isRecord(body) && isRecord(body.payload) ? body.payload : undefined;
    const url = payload && typeof payload.url === 'string' ? payload.url : payload?.picture_url;
    if (typeof url !== 'string' || !url) throw new DeliveryError('unavailable', 'GroupMe upload image: reply carries no url');
    return url;
  }

  /** Is this URL on GroupMe's own hosts (or the configured API / image service)? */
  isGroupMeHosted(url: string): boolean {
    try {
      const u = new URL(url);
      const own = [this.api, this.image].map((b) => new URL(b).origin);
      if (own.includes(u.origin)) return true;
      return u.protocol === 'https:' && (u.hostname === 'groupme.com' || u.hostname.endsWith('.groupme.com'));
    } catch {
      return false;
    }
  }

  /**
   * Download a file GroupMe hosts (images on i.groupme.com are public: no token is sent), through
   * the bridge's fetcher. Other hosts are refused, so a forged callback cannot make the bridge
   * fetch arbitrary URLs, nor be redirected to one.
   */
  async download(url: string, maxBytes: number, download: Download): Promise<Uint8Array> {
    if (!this.isGroupMeHosted(url)) throw new DeliveryError('rejected', 'GroupMe download attachment: not a GroupMe URL');
    return download(url, { hosts: ['groupme.com', '*.groupme.com'], configured: [this.api, this.image], maxBytes });
  }

  /** A user-API call: token header, JSON body, unwrap `{response, meta}`. */
  private async user(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'x-access-token': this.opts.token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.call(`${this.api}${path}`, what, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!text) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DeliveryError('unavailable', `GroupMe ${what}: reply is not JSON`);
    }
    return isRecord(parsed) && 'response' in parsed ? parsed.response : parsed;
  }

  /** fetch with a timeout; any non-2xx becomes a DeliveryError. */
  private async call(url: string, what: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.doFetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const reason = err instanceof Error ? err.name : 'error';
      throw new DeliveryError('unavailable', `GroupMe ${what}: request failed (${reason})`);
    }
    if (res.ok) return res;
    const detail = await errorDetail(res);
    throw fromHttpStatus(res.status, `GroupMe ${what}: HTTP ${res.status}${detail}`, retryAfterMs(res.headers.get('retry-after')));
  }
}

/** `meta.errors` of a failed reply, for the error message (GroupMe never echoes the token). */
async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    const errors = isRecord(body) && isRecord(body.meta) && Array.isArray(body.meta.errors) ? body.meta.errors : [];
    const words = errors.filter((e): e is string => typeof e === 'string').join(', ');
    return words ? ` (${words.slice(0, 200)})` : '';
  } catch {
    return '';
  }
}

/** `Retry-After` as seconds or an HTTP date → milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
