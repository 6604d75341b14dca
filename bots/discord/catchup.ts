/**
 * Catch-up after downtime: the last message id seen per channel is kept in ctx.state; when a new
 * gateway session starts, `GET /channels/{id}/messages?after=<id>` fetches what was missed, and
 * those messages are ingested oldest first through the same path as live ones (same eventId).
 */
import { makeURLSearchParams, type REST } from 'discord.js';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import { apiStatus, toDeliveryError } from './transport.js';

const KEY = 'last-seen';
const PAGE = 100;
const MAX_PAGES = 10;

export interface Seen {
  readonly guild?: string;
  readonly id: string;
}

export function newer(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}

export class LastSeen {
  private readonly map = new Map<string, Seen>();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: BotState,
    private readonly log: Logger,
    /** Channels remembered at most (the least recently active are dropped). */
    private readonly max = 500,
  ) {}

  async load(): Promise<void> {
    const raw = await this.state.get(KEY);
    if (!raw) return;
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== 'object' || v === null) return;
      for (const [channel, seen] of Object.entries(v)) {
        if (typeof seen === 'object' && seen !== null && 'id' in seen && typeof seen.id === 'string') {
          const guild = 'guild' in seen && typeof seen.guild === 'string' ? seen.guild : undefined;
          this.map.set(channel, guild ? { guild, id: seen.id } : { id: seen.id });
        }
      }
    } catch {
      this.log.warn('discord: ignoring unreadable last-seen state');
    }
  }

  note(channel: string, guild: string | undefined, id: string): void {
    const prev = this.map.get(channel);
    if (prev && !newer(id, prev.id)) return;
    this.map.delete(channel);
    this.map.set(channel, guild ? { guild, id } : { id });
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    this.save();
  }

  forget(channel: string): void {
    if (this.map.delete(channel)) this.save();
  }

  snapshot(): Array<[string, Seen]> {
    return [...this.map.entries()];
  }

  flush(): Promise<void> {
    return this.saving;
  }

  private save(): void {
    const json = JSON.stringify(Object.fromEntries(this.map));
    this.saving = this.saving
      .then(() => this.state.set(KEY, json))
      .catch((err: unknown) => this.log.error({ err }, 'discord: could not save last-seen state'));
  }
}

export interface CatchUpDeps {
  readonly rest: REST;
  readonly lastSeen: LastSeen;
  readonly log: Logger;
  /** The same handler live MESSAGE_CREATEs go through. */
  onMessage(m: APIMessage, guildId: string | undefined): Promise<void>;
}

/** Fetch and hand over, oldest first, every message posted after the remembered ones. */
export async function catchUp(snapshot: ReadonlyArray<[string, Seen]>, deps: CatchUpDeps): Promise<void> {
  for (const [channel, seen] of snapshot) {
    let after = seen.id;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = makeURLSearchParams({ after, limit: PAGE });
        const batch = (await deps.rest.get(Routes.channelMessages(channel), { query })) as APIMessage[];
        batch.sort((a, b) => (newer(a.id, b.id) ? 1 : newer(b.id, a.id) ? -1 : 0));
        for (const m of batch) await deps.onMessage(m, seen.guild);
        const last = batch[batch.length - 1];
        if (batch.length < PAGE || !last) break;
        after = last.id;
      }
    } catch (err) {
      const status = apiStatus(err);
      if (status === 403 || status === 404) deps.lastSeen.forget(channel);
      deps.log.warn({ channel, err: toDeliveryError(err, 'catch-up').message }, 'discord: catch-up of a channel failed');
    }
  }
}
