/**
 * Cached look-ups of users (users.info) and channels (conversations.info): author names and
 * avatars, `<@U…>` / `<#C…>` tokens without labels, room names. A failed look-up falls back
 * to the raw id: a message is never dropped because a name could not be found.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Author } from '../../src/model.js';
import type { NameLookup } from './format.js';

export interface ChannelInfo {
  readonly id: string;
  readonly name?: string;
  readonly isIm: boolean;
  readonly isMpim: boolean;
  /** For a DM: the other user. */
  readonly user?: string;
}

class TtlCache<V> {
  private readonly map = new Map<string, { value: Promise<V>; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.map.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = load();
    this.map.delete(key);
    this.map.set(key, { value, until: now + this.ttlMs });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    // A failed load is not cached.
    value.catch(() => this.map.delete(key));
    return value;
  }
}

export class Directory {
  private readonly users: TtlCache<Author>;
  private readonly channels: TtlCache<ChannelInfo>;

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    ttlMs = 10 * 60_000,
  ) {
    this.users = new TtlCache(ttlMs, 5000);
    this.channels = new TtlCache(ttlMs, 5000);
  }

  /** The user's display name and avatar; `{id, name: id}` when Slack cannot tell. */
  async user(id: string): Promise<Author> {
    try {
      return await this.users.get(id, async () => {
        const res = await this.client.users.info({ user: id });
        const u = res.user;
        const p = u?.profile;
        const name = p?.display_name || p?.real_name || u?.real_name || u?.name || id;
        const avatarUrl = p?.image_192 || p?.image_72;
        return avatarUrl ? { id, name, avatarUrl } : { id, name };
      });
    } catch (err) {
      this.log.warn({ err, user: id }, 'slack: users.info failed');
      return { id, name: id };
    }
  }

  async channel(id: string): Promise<ChannelInfo> {
    return this.channels.get(id, async () => {
      const res = await this.client.conversations.info({ channel: id });
      const c = res.channel;
      // An IM's other user: sent by Slack, missing from the response type.
      const user: unknown = c && 'user' in c ? (c as { user?: unknown }).user : undefined;
      return {
        id,
        isIm: c?.is_im === true,
        isMpim: c?.is_mpim === true,
        ...(c?.name ? { name: c.name } : {}),
        ...(typeof user === 'string' ? { user } : {}),
      };
    });
  }

  /** Names for the given ids (for mrkdwn tokens that carry no label). */
  async names(ids: { users: readonly string[]; channels: readonly string[] }): Promise<NameLookup> {
    const users = new Map<string, string>();
    const channels = new Map<string, string>();
    await Promise.all([
      ...ids.users.map(async (u) => users.set(u, (await this.user(u)).name)),
      ...ids.channels.map(async (c) => {
        const info = await this.channel(c).catch(() => undefined);
        if (info?.name) channels.set(c, info.name);
      }),
    ]);
    return { users, channels };
  }
}
