/**
 * Rooms and conversation references.
 *
 * A room is a Teams conversation: a channel (workspace = team id), a group chat or a 1:1 chat
 * (workspace = tenant id). Channel thread conversation ids (`19:…@thread.tacv2;messageid=123`)
 * are folded into their channel, so a channel is one room and the thread root becomes `replyTo`.
 *
 * Every inbound activity refreshes the room's conversation reference in the bot's persistent
 * state: proactive posts (all bridge copies) need its serviceUrl and conversation, after restarts too.
 */
import type { Activity, ChannelAccount, ConversationReference } from '@microsoft/agents-activity';
import type { BotState } from '../../src/bot.js';
import { roomKey, type RoomRef } from '../../src/model.js';

export const PLATFORM = 'teams';

/** A room's conversation reference as stored: where (serviceUrl) and as whom (agent) to post. */
export type StoredReference = ConversationReference & { readonly serviceUrl: string };
const THREAD = ';messageid=';

/** Split a conversation id into its channel/chat id and, for a channel thread, the thread root id. */
export function splitConversationId(id: string): { readonly base: string; readonly root?: string } {
  const at = id.toLowerCase().indexOf(THREAD);
  if (at < 0) return { base: id };
  const root = id.slice(at + THREAD.length);
  return root ? { base: id.slice(0, at), root } : { base: id.slice(0, at) };
}

/** The conversation id that posts into a channel thread. */
export function threadConversationId(base: string, root: string): string {
  return `${base}${THREAD}${root}`;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

export interface TeamsChannelInfo {
  readonly teamId?: string;
  readonly tenantId?: string;
  readonly eventType?: string;
}

export function channelInfo(activity: Partial<Activity>): TeamsChannelInfo {
  const data = record(activity.channelData);
  const teamId = str(record(data?.team)?.id);
  const tenantId = str(record(data?.tenant)?.id) ?? str(activity.conversation?.tenantId);
  const eventType = str(data?.eventType);
  return { ...(teamId ? { teamId } : {}), ...(tenantId ? { tenantId } : {}), ...(eventType ? { eventType } : {}) };
}

export class ConversationRefs {
  /** Last value written per state key, so a busy room does not rewrite its reference per message. */
  private readonly written = new Map<string, string>();

  constructor(private readonly state: BotState) {}

  /** The room of an activity (undefined without a conversation), remembering its reference. */
  async remember(activity: Partial<Activity>): Promise<RoomRef | undefined> {
    const conv = activity.conversation;
    if (!conv?.id) return undefined;
    const { base } = splitConversationId(conv.id);
    const info = channelInfo(activity);
    let workspace = info.teamId;
    if (workspace) await this.put(`ws:${base}`, workspace);
    else workspace = (await this.state.get(`ws:${base}`)) ?? info.tenantId;
    const room: RoomRef = workspace ? { platform: PLATFORM, workspace, channel: base } : { platform: PLATFORM, channel: base };
    if (activity.serviceUrl && activity.recipient?.id) {
      const from = activity.from;
      const personal = conv.conversationType === 'personal' && from?.id && from.id !== activity.recipient.id;
      const ref: ConversationReference = {
        channelId: activity.channelId ?? 'msteams',
        serviceUrl: activity.serviceUrl,
        agent: { id: activity.recipient.id, ...(activity.recipient.name ? { name: activity.recipient.name } : {}) },
        // In a 1:1 chat, who the bot talks with (for the room's name).
        ...(personal ? { user: { id: from.id, ...(from.name ? { name: from.name } : {}) } } : {}),
        conversation: {
          id: base,
          isGroup: conv.isGroup ?? conv.conversationType !== 'personal',
          conversationType: conv.conversationType ?? (info.teamId ? 'channel' : 'personal'),
          ...(conv.name ? { name: conv.name } : {}),
          ...(info.tenantId ? { tenantId: info.tenantId } : {}),
        },
      };
      await this.put(`ref:${roomKey(room)}`, JSON.stringify(ref));
    }
    return room;
  }

  /**
   * The stored reference of a room, or undefined when the bot never saw it. References stored by
   * the botbuilder versions of this bot name the bot `bot`; the Agents SDK calls it `agent`.
   */
  async get(room: RoomRef): Promise<StoredReference | undefined> {
    const raw = await this.state.get(`ref:${roomKey(room)}`);
    if (!raw) return undefined;
    const parsed: unknown = JSON.parse(raw);
    const ref = record(parsed);
    const serviceUrl = str(ref?.serviceUrl);
    if (!ref || !serviceUrl || !str(record(ref.conversation)?.id)) return undefined;
    const { bot, ...rest } = ref;
    const agent = ref.agent ?? bot;
    return { ...(rest as unknown as ConversationReference), serviceUrl, ...(record(agent) ? { agent: agent as ChannelAccount } : {}) };
  }

  private async put(key: string, value: string): Promise<void> {
    if (this.written.get(key) === value) return;
    await this.state.set(key, value);
    this.written.set(key, value);
  }
}

/** A bounded map (oldest entries dropped first), for message → thread-root and own-id memory. */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
}
