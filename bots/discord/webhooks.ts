/**
 * The one "Sameroom" webhook per channel that copies are posted through. Found (an existing one
 * the bot made) or created on first use, cached in ctx.state so a restart reuses it. Without the
 * Manage Webhooks permission (403 / 50013) the channel is marked denied for a while and callers
 * fall back to posting as the bot.
 */
import { RESTJSONErrorCodes, Routes, type APIWebhook, type RESTPostAPIChannelWebhookJSONBody } from 'discord-api-types/v10';
import type { REST } from 'discord.js';
import type { BotState } from '../../src/bot.js';
import { apiCode, apiStatus, toDeliveryError } from './transport.js';

export const WEBHOOK_NAME = 'Sameroom';
/** How long to post as the bot before asking Discord again whether we may manage webhooks. */
const DENIED_FOR_MS = 10 * 60_000;

export interface Hook {
  readonly id: string;
  readonly token: string;
}

export interface Self {
  userId?: string;
  appId?: string;
}

const key = (channelId: string): string => `webhook:${channelId}`;

export class Webhooks {
  private readonly hooks = new Map<string, Hook>();
  private readonly own = new Set<string>();
  private readonly deniedUntil = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Hook | null>>();

  constructor(
    private readonly rest: REST,
    private readonly state: BotState,
    private readonly self: Self,
    private readonly now: () => number = Date.now,
  ) {}

  /** The webhook for a (non-thread) channel, or null when the bot may not manage webhooks there. */
  forChannel(channelId: string): Promise<Hook | null> {
    const known = this.hooks.get(channelId);
    if (known) return Promise.resolve(known);
    if ((this.deniedUntil.get(channelId) ?? 0) > this.now()) return Promise.resolve(null);
    let p = this.pending.get(channelId);
    if (!p) {
      p = this.acquire(channelId).finally(() => this.pending.delete(channelId));
      this.pending.set(channelId, p);
    }
    return p;
  }

  /** Our webhook of this channel if it is the one with this id (loading the cached one from state). */
  async known(channelId: string, webhookId: string): Promise<Hook | undefined> {
    const hook = this.hooks.get(channelId) ?? (await this.load(channelId));
    return hook?.id === webhookId ? hook : undefined;
  }

  /** Did the bot make this webhook? (messages posted through it are our own echoes) */
  async isOwn(webhookId: string, channelId: string): Promise<boolean> {
    return this.own.has(webhookId) || (await this.known(channelId, webhookId)) !== undefined;
  }

  /** Forget a webhook Discord no longer knows (deleted by someone). */
  async invalidate(channelId: string): Promise<void> {
    this.hooks.delete(channelId);
    await this.state.del(key(channelId));
  }

  isDenied(channelId: string): boolean {
    return (this.deniedUntil.get(channelId) ?? 0) > this.now();
  }

  private async acquire(channelId: string): Promise<Hook | null> {
    const cached = await this.load(channelId);
    if (cached) return cached;
    try {
      const list = (await this.rest.get(Routes.channelWebhooks(channelId))) as APIWebhook[];
      const mine = list.filter((w) => w.token && this.madeByUs(w));
      const found = mine.find((w) => w.name === WEBHOOK_NAME) ?? mine[0];
      const body: RESTPostAPIChannelWebhookJSONBody = { name: WEBHOOK_NAME };
      const hook = found ?? ((await this.rest.post(Routes.channelWebhooks(channelId), { body, reason: 'Sameroom bridge copies' })) as APIWebhook);
      if (!hook.token) throw new Error('webhook without token');
      const h: Hook = { id: hook.id, token: hook.token };
      await this.remember(channelId, h);
      return h;
    } catch (err) {
      if (apiStatus(err) === 403 || apiCode(err) === RESTJSONErrorCodes.MissingPermissions) {
        this.deniedUntil.set(channelId, this.now() + DENIED_FOR_MS);
        return null;
      }
      throw toDeliveryError(err, 'get or create webhook');
    }
  }

  private madeByUs(w: APIWebhook): boolean {
    return (this.self.userId !== undefined && w.user?.id === this.self.userId) || (this.self.appId !== undefined && w.application_id === this.self.appId);
  }

  private async load(channelId: string): Promise<Hook | undefined> {
    const raw = await this.state.get(key(channelId));
    if (!raw) return undefined;
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v === 'object' && v !== null && 'id' in v && 'token' in v && typeof v.id === 'string' && typeof v.token === 'string') {
        const h: Hook = { id: v.id, token: v.token };
        this.hooks.set(channelId, h);
        this.own.add(h.id);
        return h;
      }
    } catch {
      // A corrupt entry is as good as none.
    }
    return undefined;
  }

  private async remember(channelId: string, h: Hook): Promise<void> {
    this.hooks.set(channelId, h);
    this.own.add(h.id);
    this.deniedUntil.delete(channelId);
    await this.state.set(key(channelId), JSON.stringify(h));
  }
}
