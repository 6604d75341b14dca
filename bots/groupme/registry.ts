/**
 * One GroupMe bot per group the bridge account is in.
 *
 * GroupMe bots are tied to one group each and are created with the account's token. A sync
 * lists the groups (`GET /groups`) and the account's bots (`GET /bots`); a bot of ours is one
 * whose callback_url starts with `${publicUrl}/groupme/`. Per group it keeps the bot saved in
 * the bot state when GroupMe still lists it, else adopts a listed bot of ours (state lost), else
 * creates one with a fresh unguessable callback path. Extra bots of ours in a group (two
 * processes racing) are destroyed so each message reaches us once.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import type { GroupMeClient } from './client.js';
import type { BotInfo } from './types.js';

/** The bot serving one group: its id (a secret: it can post) and its callback path (a secret: it can inject). */
export interface GroupBot {
  readonly groupId: string;
  readonly groupName: string;
  readonly botId: string;
  readonly path: string;
}

export interface RegistryOptions {
  readonly client: GroupMeClient;
  readonly state: BotState;
  readonly log: Logger;
  /** `${publicUrl}/groupme/`, read at each sync. */
  readonly callbackPrefix: () => string;
  readonly botName: string;
  readonly avatarUrl?: string;
}

const stateKey = (groupId: string): string => `bot:${groupId}`;
/** The same bot by its callback path, so another bridge process sharing the state knows it too. */
const pathKey = (path: string): string => `path:${path}`;

/** A new callback path: 192 random bits, URL-safe. */
export const newPath = (): string => randomBytes(24).toString('base64url');

export class BotRegistry {
  private byGroup = new Map<string, GroupBot>();
  private byPath = new Map<string, GroupBot>();
  private running: Promise<void> | undefined;

  constructor(private readonly opts: RegistryOptions) {}

  forGroup(groupId: string): GroupBot | undefined {
    return this.byGroup.get(groupId);
  }

  forPath(path: string): GroupBot | undefined {
    return this.byPath.get(path);
  }

  /**
   * A callback path this process has not seen: another process may have made that bot since our
   * last sync (they share the state). `undefined` for a path no process made.
   */
  async loadPath(path: string): Promise<GroupBot | undefined> {
    const known = this.byPath.get(path);
    if (known) return known;
    const raw = await this.opts.state.get(pathKey(path));
    if (!raw) return undefined;
    const saved = parseSaved(raw);
    const groupId = parseGroupId(raw);
    if (!saved || !groupId || saved.path !== path) return undefined;
    const bot: GroupBot = { groupId, groupName: groupId, botId: saved.botId, path };
    if (!this.byGroup.has(groupId)) this.byGroup.set(groupId, bot);
    this.byPath.set(path, bot);
    return bot;
  }

  groups(): GroupBot[] {
    return [...this.byGroup.values()];
  }

  /** Stop using a group's bot (GroupMe said it is gone); the next sync finds or makes another. */
  forget(groupId: string): void {
    const bot = this.byGroup.get(groupId);
    if (!bot) return;
    this.byGroup.delete(groupId);
    this.byPath.delete(bot.path);
  }

  /** Resolves when no sync is in flight (errors ignored). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Run one sync; concurrent callers share the one in flight. */
  sync(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const { client, log } = this.opts;
    const prefix = this.opts.callbackPrefix();
    const [groups, bots] = await Promise.all([client.listGroups(), client.listBots()]);
    const ours = new Map<string, BotInfo[]>();
    for (const b of bots) {
      if (!b.callback_url?.startsWith(prefix) || b.callback_url.length === prefix.length) continue;
      ours.set(b.group_id, [...(ours.get(b.group_id) ?? []), b]);
    }
    const next = new Map<string, GroupBot>();
    const failures: unknown[] = [];
    for (const group of groups) {
      try {
        next.set(group.id, await this.ensure(group.id, group.name, ours.get(group.id) ?? [], prefix));
      } catch (err) {
        failures.push(err);
        log.error({ err, group: group.id }, 'groupme: could not set up the bot for a group');
        const previous = this.byGroup.get(group.id);
        if (previous) next.set(group.id, previous);
      }
    }
    for (const gone of this.byGroup.keys()) {
      if (!next.has(gone)) {
        log.info({ group: gone }, 'groupme: the account is no longer in this group');
        await this.opts.state.del(stateKey(gone));
        await this.opts.state.del(pathKey(this.byGroup.get(gone)?.path ?? ''));
      }
    }
    this.byGroup = next;
    this.byPath = new Map([...next.values()].map((b) => [b.path, b]));
    if (failures.length > 0 && failures.length === groups.length) throw failures[0];
  }

  private async ensure(groupId: string, groupName: string, candidates: BotInfo[], prefix: string): Promise<GroupBot> {
    const { client, state, log } = this.opts;
    const saved = parseSaved(await state.get(stateKey(groupId)));
    const sorted = [...candidates].sort((a, b) => a.bot_id.localeCompare(b.bot_id));
    const keep =
      sorted.find((b) => saved && b.bot_id === saved.botId && b.callback_url === prefix + saved.path) ?? sorted[0];
    let bot: GroupBot;
    if (keep) {
      bot = { groupId, groupName, botId: keep.bot_id, path: (keep.callback_url ?? '').slice(prefix.length) };
      for (const extra of sorted) {
        if (extra.bot_id === keep.bot_id) continue;
        log.warn({ group: groupId }, 'groupme: destroying a duplicate bridge bot in a group');
        await client.destroyBot(extra.bot_id).catch((err: unknown) => log.warn({ err }, 'groupme: destroy failed'));
        await state.del(pathKey((extra.callback_url ?? '').slice(prefix.length)));
      }
    } else {
      const path = newPath();
      const created = await client.createBot({
        bot: {
          name: this.opts.botName,
          group_id: groupId,
          callback_url: prefix + path,
          ...(this.opts.avatarUrl ? { avatar_url: this.opts.avatarUrl } : {}),
          dm_notification: false,
        },
      });
      log.info({ group: groupId }, 'groupme: created the bridge bot for a group');
      bot = { groupId, groupName, botId: created.bot_id, path };
    }
    if (!saved || saved.botId !== bot.botId || saved.path !== bot.path) {
      const record = JSON.stringify({ bot_id: bot.botId, path: bot.path, group_id: groupId });
      await state.set(pathKey(bot.path), record);
      await state.set(stateKey(groupId), record);
      if (saved && saved.path !== bot.path) await state.del(pathKey(saved.path));
    }
    return bot;
  }
}

function parseGroupId(raw: string): string | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    const id = typeof v === 'object' && v !== null ? (v as { group_id?: unknown }).group_id : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function parseSaved(raw: string | null): { botId: string; path: string } | undefined {
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return undefined;
    const { bot_id: botId, path } = v as { bot_id?: unknown; path?: unknown };
    return typeof botId === 'string' && typeof path === 'string' ? { botId, path } : undefined;
  } catch {
    return undefined;
  }
}
