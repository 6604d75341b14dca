/**
 * A fake Telegram Bot API on 127.0.0.1 that the real node-telegram-bot-api client talks to:
 * `POST /bot<token>/<method>` (form, JSON or multipart), `GET /file/bot<token>/<path>`,
 * long-poll getUpdates that holds the request, offsets that confirm (and forget) updates,
 * setWebhook / deleteWebhook with a sender that POSTs updates with the secret header.
 * Limits and refusals follow Telegram (see methods.ts, html.ts); `failNext` injects 429 / 5xx.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, MessageEntity, Update, User } from 'node-telegram-bot-api';
import { messageMethods, REAL_LIMITS, type Limits, type Method } from './methods.js';
import { ApiError, parseParams, readBody, type Params } from './params.js';
import { WebhookSender, type Webhook } from './webhook.js';
import { World, type SayOptions, type StoredMessage } from './world.js';

export { REAL_LIMITS, type Limits } from './methods.js';
export type { SayOptions, FileSpec } from './world.js';

export interface FakeTelegramOptions {
  readonly token?: string;
  readonly limits?: Partial<Limits>;
  /** Wait between webhook delivery attempts after a failure, in ms (default 50). */
  readonly webhookRetryMs?: number;
}

export interface ApiCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  status: number;
}

export interface Failure {
  readonly status: number;
  /** Seconds, sent as parameters.retry_after (429). */
  readonly retryAfter?: number;
  readonly description?: string;
  /** How many calls fail (default 1). */
  readonly times?: number;
}

interface Waiter {
  readonly offset: number;
  readonly limit: number;
  readonly finish: (result: Update[] | ApiError) => void;
}

export class FakeTelegram {
  readonly token: string;
  readonly me: User;
  readonly world: World;
  readonly limits: Limits;
  readonly calls: ApiCall[] = [];
  readonly hooks: WebhookSender;
  private server: Server | undefined;
  private base = '';
  private waiter: Waiter | undefined;
  private readonly failures = new Map<string, Failure[]>();
  private readonly methods: Record<string, Method>;
  private closed = false;

  constructor(opts: FakeTelegramOptions = {}) {
    this.token = opts.token ?? '123456789:AAH-fake-telegram-token_0123456789ab';
    const id = Number(this.token.split(':')[0]);
    this.me = { id, is_bot: true, first_name: 'Sameroom', username: 'SameroomBot', can_join_groups: true, can_read_all_group_messages: true };
    this.limits = { ...REAL_LIMITS, ...opts.limits };
    this.world = new World(this.me, () => this.onUpdate());
    this.hooks = new WebhookSender(this.world, opts.webhookRetryMs ?? 50);
    this.methods = {
      ...messageMethods(this.world, this.me, this.limits),
      setwebhook: (p) => {
        this.hooks.set(p);
        // A held getUpdates ends when a webhook is set, as in Telegram.
        if (this.hooks.webhook) this.waiter?.finish(new ApiError(409, 'Conflict: terminated by setWebhook request'));
        return true;
      },
      deletewebhook: (p) => {
        this.hooks.webhook = undefined;
        if (p.bool('drop_pending_updates')) this.world.pending = [];
        return true;
      },
      getwebhookinfo: () => ({ url: this.hooks.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.world.pending.length }),
    };
  }

  /** The Bot API root to give the client (`apiRoot`). */
  get apiRoot(): string {
    return this.base;
  }

  async listen(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The registered webhook (settable, to stage a leftover one). */
  get webhook(): Webhook | undefined {
    return this.hooks.webhook;
  }

  set webhook(w: Webhook | undefined) {
    this.hooks.webhook = w;
  }

  /** Every webhook delivery attempt, in order, with the HTTP status (0: no connection). */
  get webhookDeliveries(): readonly { update_id: number; status: number }[] {
    return this.hooks.deliveries;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hooks.close();
    this.waiter?.finish([]);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- test controls ------------------------------------------------------------------------

  userSays(chatId: number, text: string | undefined, opts?: SayOptions): Message {
    return this.world.userSays(chatId, text, opts);
  }

  userEdits(chatId: number, messageId: number, text: string, entities?: MessageEntity[]): Message {
    return this.world.userEdits(chatId, messageId, text, entities);
  }

  /** The next `times` calls of `method` answer with this error instead. */
  failNext(method: string, failure: Failure): void {
    const list = this.failures.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i++) list.push(failure);
    this.failures.set(method.toLowerCase(), list);
  }

  /** Webhook URLs under `publicBase` are delivered to `actualBase` (a reverse proxy, in effect). */
  routeHost(publicBase: string, actualBase: string): void {
    this.hooks.route(publicBase, actualBase);
  }

  /** Messages the bot posted in a chat (deleted ones included, flagged), oldest first. */
  botMessages(chatId: number): StoredMessage[] {
    return [...(this.world.messages.get(chatId)?.values() ?? [])].filter((m) => m.fromBot);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
  }

  /** POSTs one update to the registered webhook with this secret; returns the HTTP status. */
  postToWebhook(update: Update, secret: string | undefined): Promise<number> {
    return this.hooks.post(update, secret);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.download(file[1] ?? '', decodeURIComponent(file[2] ?? ''), res);
    const m = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return reply(res, new ApiError(404, 'Not Found'));
    if (m[1] !== this.token) return reply(res, new ApiError(401, 'Unauthorized'));
    const method = m[2] ?? '';
    const { body, tooBig } = await readBody(req, this.limits.uploadBytes + 1024 * 1024);
    const call: ApiCall = { method, params: {}, status: 0 };
    this.calls.push(call);
    const result = await this.run(method, req, res, body, tooBig, url.searchParams, call);
    call.status = result instanceof ApiError ? result.code : 200;
    reply(res, result);
  }

  private async run(
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    tooBig: boolean,
    query: URLSearchParams,
    call: ApiCall,
  ): Promise<unknown> {
    try {
      if (tooBig) throw new ApiError(413, 'Request Entity Too Large');
      const params = await parseParams(req.headers['content-type'] ?? '', body, query);
      Object.assign(call.params, params.describe());
      const name = method.toLowerCase();
      const failure = this.failures.get(name)?.shift();
      if (failure) throw failureError(failure);
      if (name === 'getupdates') return await this.getUpdates(params, res);
      const fn = this.methods[name];
      if (!fn) throw new ApiError(404, 'Not Found');
      return fn(params);
    } catch (err) {
      if (err instanceof ApiError) return err;
      throw err;
    }
  }

  private download(token: string, path: string, res: ServerResponse): void {
    const file = [...this.world.files.values()].find((f) => f.file_path === path);
    if (token !== this.token || !file?.bytes) {
      res.writeHead(404).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': file.mime ?? 'application/octet-stream' }).end(file.bytes);
  }

  // ---- updates ------------------------------------------------------------------------------

  private getUpdates(p: Params, res: ServerResponse): Promise<Update[]> | Update[] {
    if (this.hooks.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    this.waiter?.finish(
      new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
    );
    const offset = p.num('offset') ?? 0;
    // Calling with an offset confirms every update below it: Telegram forgets them.
    if (offset > 0) this.world.pending = this.world.pending.filter((u) => u.update_id >= offset);
    const limit = Math.min(Math.max(p.num('limit') ?? 100, 1), 100);
    const ready = this.world.pending.filter((u) => u.update_id >= offset).slice(0, limit);
    const timeout = p.num('timeout') ?? 0;
    if (ready.length > 0 || timeout <= 0 || this.closed) return ready;
    return new Promise<Update[]>((resolve, reject) => {
      const timer = setTimeout(() => finish([]), timeout * 1000);
      const finish = (result: Update[] | ApiError): void => {
        clearTimeout(timer);
        res.off('close', onClose);
        if (this.waiter === waiter) this.waiter = undefined;
        if (result instanceof ApiError) reject(result);
        else resolve(result);
      };
      const onClose = (): void => finish([]);
      const waiter: Waiter = { offset, limit, finish };
      this.waiter = waiter;
      res.on('close', onClose);
    });
  }

  private onUpdate(): void {
    const w = this.waiter;
    if (w) {
      const ready = this.world.pending.filter((u) => u.update_id >= w.offset).slice(0, w.limit);
      if (ready.length) w.finish(ready);
    }
    this.hooks.kick();
  }
}

export async function startFakeTelegram(opts?: FakeTelegramOptions): Promise<FakeTelegram> {
  return new FakeTelegram(opts).listen();
}

function failureError(f: Failure): ApiError {
  if (f.status === 429) {
    const after = f.retryAfter ?? 1;
    return new ApiError(429, f.description ?? `Too Many Requests: retry after ${after}`, { retry_after: after });
  }
  return new ApiError(f.status, f.description ?? (f.status >= 500 ? 'Internal Server Error' : 'Bad Request'));
}

function reply(res: ServerResponse, result: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const body =
    result instanceof ApiError
      ? { ok: false, error_code: result.code, description: result.description, ...(result.parameters ? { parameters: result.parameters } : {}) }
      : { ok: true, result };
  res.writeHead(result instanceof ApiError ? result.code : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
