/**
 * The fake's webhook side: setWebhook rules, and a sender that POSTs pending updates one at a
 * time, in order, with the X-Telegram-Bot-Api-Secret-Token header, sending a failed one again.
 */
import type { Update } from 'node-telegram-bot-api';
import { ApiError, badRequest, type Params } from './params.js';
import type { World } from './world.js';

const SECRET_RE = /^[A-Za-z0-9_-]{1,256}$/;

export interface Webhook {
  readonly url: string;
  readonly secret?: string;
}

export class WebhookSender {
  webhook: Webhook | undefined;
  readonly deliveries: { update_id: number; status: number }[] = [];
  private readonly routes = new Map<string, string>();
  private pumping = false;
  private closed = false;

  constructor(
    private readonly world: World,
    private readonly retryMs: number,
  ) {}

  /** setWebhook; an empty url removes the webhook. */
  set(p: Params): void {
    const url = p.str('url') ?? '';
    const secret = p.str('secret_token');
    if (!url) {
      this.webhook = undefined;
      return;
    }
    if (!url.startsWith('https://')) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    if (secret !== undefined && !SECRET_RE.test(secret)) throw badRequest('secret token contains unallowed characters');
    if (p.bool('drop_pending_updates')) this.world.pending = [];
    this.webhook = secret === undefined ? { url } : { url, secret };
    setImmediate(() => this.kick());
  }

  route(publicBase: string, actualBase: string): void {
    this.routes.set(publicBase.replace(/\/+$/, ''), actualBase.replace(/\/+$/, ''));
    this.kick();
  }

  close(): void {
    this.closed = true;
  }

  /** POSTs one update with this secret header (or none); returns the HTTP status. */
  async post(update: Update, secret: string | undefined): Promise<number> {
    if (!this.webhook) throw new ApiError(400, 'fake telegram: no webhook set');
    try {
      const res = await fetch(this.resolve(this.webhook.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }),
        },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Starts delivering pending updates, unless already at it. */
  kick(): void {
    if (this.webhook && !this.pumping) void this.pump();
  }

  private resolve(url: string): string {
    for (const [from, to] of this.routes) if (url.startsWith(from)) return to + url.slice(from.length);
    return url;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.webhook && !this.closed && this.world.pending.length > 0) {
        const update = this.world.pending[0] as Update;
        const status = await this.post(update, this.webhook.secret);
        this.deliveries.push({ update_id: update.update_id, status });
        if (status >= 200 && status < 300) this.world.pending = this.world.pending.filter((u) => u !== update);
        else await new Promise((r) => setTimeout(r, this.retryMs));
      }
    } finally {
      this.pumping = false;
    }
  }
}
