/**
 * Gateway dispatches → normalized Inbound events. Drops the bot's own messages and everything
 * posted through its own webhooks, turns the `/sameroom` slash command into a `-sameroom …` post.
 */
import type { REST } from 'discord.js';
import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageReferenceType,
  MessageType,
  Routes,
  type APIApplicationCommandInteractionDataOption,
  type APIInteraction,
  type APIMessage,
  type APIUserWithMember,
  type GatewayMessageDeleteBulkDispatchData,
  type GatewayMessageDeleteDispatchData,
  type GatewayMessageEventExtraFields,
  type RESTPostAPIInteractionCallbackJSONBody,
} from 'discord-api-types/v10';
import type { BotContext } from '../../src/bot.js';
import { remoteId, type InboundAttachment, type RoomRef } from '../../src/model.js';
import type { LastSeen } from './catchup.js';
import { displayName, type Directory } from './directory.js';
import { discordToCanonical, type MentionNames } from './format.js';
import { avatarUrl, toDeliveryError } from './transport.js';
import type { Self, Webhooks } from './webhooks.js';

export const PLATFORM = 'discord';

/** Message types people write (others are joins, pins, thread notices, ...). */
const USER_TYPES = new Set<MessageType>([MessageType.Default, MessageType.Reply]);

/** A message as the gateway (or, without the extra fields, REST) delivers it. */
export type AnyMessage = APIMessage & Partial<GatewayMessageEventExtraFields>;

/** A bounded set of recent ids. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 5000) {}
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const first = this.ids.values().next().value;
      if (first !== undefined) this.ids.delete(first);
    }
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
}

export interface InboundDeps {
  readonly ctx: BotContext;
  readonly rest: REST;
  readonly dir: Directory;
  readonly webhooks: Webhooks;
  readonly self: Self;
  readonly lastSeen: LastSeen;
  /** Downloads an attachment URL (the bridge's fetcher, limited to Discord's file hosts). */
  readonly download: (url: string) => Promise<Uint8Array>;
  /** Messages our own delete() removed: their MESSAGE_DELETE is an echo. */
  readonly selfDeleted: RecentIds;
}

export class InboundHandler {
  private readonly ingested = new RecentIds();

  constructor(private readonly d: InboundDeps) {}

  room(channel: string, guildId: string | undefined): RoomRef {
    const workspace = guildId ?? this.d.dir.peek(channel)?.guildId;
    return workspace ? { platform: PLATFORM, workspace, channel } : { platform: PLATFORM, channel };
  }

  async onCreate(m: AnyMessage, guildId?: string): Promise<void> {
    const room = this.room(m.channel_id, m.guild_id ?? guildId);
    if (this.ingested.has(m.id)) return;
    if (USER_TYPES.has(m.type) && !(await this.isEcho(m))) {
      const text = discordToCanonical(m.content, this.names(m, room.workspace));
      const attachments = m.attachments.map(
        (a): InboundAttachment => ({ name: a.filename, mime: a.content_type ?? 'application/octet-stream', size: a.size, fetch: () => this.d.download(a.url) }),
      );
      const ref = m.message_reference;
      const isReply = ref?.message_id && (ref.type ?? MessageReferenceType.Default) === MessageReferenceType.Default && (ref.channel_id ?? m.channel_id) === m.channel_id;
      if (text.trim() !== '' || attachments.length > 0) {
        await this.d.ctx.ingest({
          kind: 'post',
          room,
          eventId: m.id,
          id: remoteId(m.id),
          author: this.author(m, room.workspace),
          text,
          ...(attachments.length ? { attachments } : {}),
          ...(isReply && ref.message_id ? { replyTo: remoteId(ref.message_id) } : {}),
          raw: m,
        });
      }
    }
    this.ingested.add(m.id);
    this.d.lastSeen.note(m.channel_id, room.workspace, m.id);
  }

  async onUpdate(m: AnyMessage): Promise<void> {
    // Updates without an edit time are Discord adding link previews, not people editing.
    if (!m.edited_timestamp || !USER_TYPES.has(m.type) || (await this.isEcho(m))) return;
    const room = this.room(m.channel_id, m.guild_id);
    await this.d.ctx.ingest({
      kind: 'edit',
      room,
      eventId: `${m.id}:edit:${m.edited_timestamp}`,
      id: remoteId(m.id),
      author: this.author(m, room.workspace),
      text: discordToCanonical(m.content, this.names(m, room.workspace)),
      raw: m,
    });
  }

  async onDelete(d: GatewayMessageDeleteDispatchData): Promise<void> {
    if (this.d.selfDeleted.has(d.id)) return;
    await this.d.ctx.ingest({ kind: 'delete', room: this.room(d.channel_id, d.guild_id), eventId: `${d.id}:delete`, id: remoteId(d.id), raw: d });
  }

  async onDeleteBulk(d: GatewayMessageDeleteBulkDispatchData): Promise<void> {
    for (const id of d.ids) await this.onDelete({ id, channel_id: d.channel_id, ...(d.guild_id ? { guild_id: d.guild_id } : {}) });
  }

  /** Answer `/sameroom` within Discord's 3 s with an ephemeral line (the real answer comes via say()). */
  async acknowledge(i: APIInteraction, commandName: string): Promise<void> {
    const command = commandOf(i, commandName, this.d.ctx.commandWord);
    if (command === undefined) return;
    const body: RESTPostAPIInteractionCallbackJSONBody = {
      type: InteractionResponseType.ChannelMessageWithSource,
      data: { content: `\`${command.replace(/`/g, 'ˋ')}\` …`, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
    };
    try {
      await this.d.rest.post(Routes.interactionCallback(i.id, i.token), { body, auth: false });
    } catch (err) {
      this.d.ctx.log.warn({ err: toDeliveryError(err, 'acknowledge interaction').message }, 'discord: could not acknowledge slash command');
    }
  }

  /** `/sameroom args:<…>` → a post `-sameroom <args>` from the invoking user in that channel. */
  async onInteraction(i: APIInteraction, commandName: string): Promise<void> {
    const command = commandOf(i, commandName, this.d.ctx.commandWord);
    const user = i.member?.user ?? i.user;
    const channel = i.channel?.id ?? i.channel_id;
    if (command === undefined || !user || !channel) return;
    const room = this.room(channel, i.guild_id);
    const args = command.slice(this.d.ctx.commandWord.length + 1).trim();
    const text = `-${this.d.ctx.commandWord}${args ? ` ${discordToCanonical(args, this.names({ mentions: [] }, room.workspace))}` : ''}`;
    await this.d.ctx.ingest({
      kind: 'post',
      room,
      eventId: `interaction:${i.id}`,
      id: remoteId(i.id),
      author: { id: user.id, name: displayName(user, i.member?.nick), avatarUrl: avatarUrl(user, i.guild_id, i.member?.avatar) },
      text,
      raw: i,
    });
  }

  private async isEcho(m: AnyMessage): Promise<boolean> {
    if (this.d.self.userId && m.author.id === this.d.self.userId) return true;
    if (!m.webhook_id) return false;
    if (this.d.self.appId && m.application_id === this.d.self.appId) return true;
    // Threads post through their parent channel's webhook: find the parent (asking once if unknown).
    const channel = this.d.dir.peek(m.channel_id) ?? (await this.d.dir.get(m.channel_id, this.d.rest).catch(() => undefined));
    return this.d.webhooks.isOwn(m.webhook_id, channel?.parentId ?? m.channel_id);
  }

  private author(m: AnyMessage, guildId: string | undefined): { id: string; name: string; avatarUrl: string } {
    if (m.webhook_id) return { id: m.author.id, name: m.author.username, avatarUrl: avatarUrl(m.author) };
    const name = m.member?.nick || this.d.dir.userName(guildId, m.author.id) || displayName(m.author);
    return { id: m.author.id, name, avatarUrl: avatarUrl(m.author, guildId, m.member?.avatar) };
  }

  private names(m: { mentions: APIUserWithMember[] }, guildId: string | undefined): MentionNames {
    const dir = this.d.dir;
    const byId = new Map(m.mentions.map((u) => [u.id, u]));
    return {
      user: (id) => {
        const u = byId.get(id);
        return (u?.member?.nick || undefined) ?? dir.userName(guildId, id) ?? (u ? displayName(u) : undefined);
      },
      role: (id) => dir.roleName(guildId, id),
      channel: (id) => dir.channelName(id),
    };
  }
}

/** `-word args` for our slash command, or undefined for any other interaction. */
function commandOf(i: APIInteraction, commandName: string, word: string): string | undefined {
  if (i.type !== InteractionType.ApplicationCommand || i.data.name !== commandName) return undefined;
  const options: APIApplicationCommandInteractionDataOption[] = 'options' in i.data ? (i.data.options ?? []) : [];
  const opt = options.find((o) => o.name === 'args');
  const args = opt && 'value' in opt && typeof opt.value === 'string' ? opt.value.trim() : '';
  return `-${word}${args ? ` ${args}` : ''}`;
}
