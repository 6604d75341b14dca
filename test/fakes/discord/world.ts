/**
 * The fake Discord's data: users, guilds with roles and members, channels (text, threads, DMs),
 * messages, uploaded files and webhooks, plus a record of everything posted through the API.
 */
import {
  ChannelType,
  MessageType,
  type APIAllowedMentions,
  type APIAttachment,
  type APIChannel,
  type APIMessage,
  type APIMessageReference,
  type APIRole,
  type APIUser,
  type APIOverwrite,
  type APIWebhook,
} from 'discord-api-types/v10';
import { compareSnowflakes, snowflake } from './snowflake.js';

export interface FakeMember {
  readonly user: APIUser;
  nick: string | null;
  avatar: string | null;
  roles: string[];
  readonly joined_at: string;
}

export interface FakeGuild {
  readonly id: string;
  name: string;
  readonly owner_id: string;
  readonly roles: APIRole[];
  readonly members: Map<string, FakeMember>;
}

export interface FakeChannel {
  readonly id: string;
  readonly type: ChannelType.GuildText | ChannelType.PublicThread | ChannelType.DM;
  readonly name: string;
  readonly guild_id?: string;
  /** For threads: the text channel the thread lives in. */
  readonly parent_id?: string;
  readonly recipient?: APIUser;
  /** Permission overwrites of a guild channel (GET /channels/:id returns them). */
  overwrites?: APIOverwrite[];
}

export type FakeWebhook = APIWebhook & { token: string; channel_id: string };

export interface UploadedFile {
  readonly name: string;
  readonly contentType: string;
  readonly data: Buffer;
}

/** One message as it was posted through the fake, with the request details tests assert on. */
export interface Posted {
  readonly via: 'user' | 'bot' | 'webhook';
  readonly message: APIMessage;
  readonly username?: string;
  readonly avatarUrl?: string;
  readonly allowedMentions?: APIAllowedMentions;
  readonly nonce?: string | number;
  /** Who this message actually notifies: `user:<id>`, `role:<id>`, `everyone`. */
  readonly pings: string[];
  readonly files: UploadedFile[];
}

export interface MessageInit {
  readonly author: APIUser;
  readonly content: string;
  readonly files?: readonly UploadedFile[];
  readonly reference?: APIMessage;
  readonly webhookId?: string;
  readonly nonce?: string | number;
  readonly type?: MessageType;
}

export class World {
  readonly users = new Map<string, APIUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, APIMessage[]>();
  readonly files = new Map<string, UploadedFile>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly posted: Posted[] = [];

  constructor(public baseUrl: string) {}

  addUser(username: string, opts: { globalName?: string; bot?: boolean; avatar?: string } = {}): APIUser {
    const user: APIUser = {
      id: snowflake(),
      username,
      discriminator: '0',
      global_name: opts.globalName ?? null,
      avatar: opts.avatar ?? null,
      ...(opts.bot ? { bot: true } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(name: string, owner: APIUser): FakeGuild {
    const id = snowflake();
    const everyone: APIRole = role(id, '@everyone');
    const guild: FakeGuild = { id, name, owner_id: owner.id, roles: [everyone], members: new Map() };
    this.guilds.set(id, guild);
    return guild;
  }

  /** A role with these permission bits (a decimal string, as Discord sends them). */
  addRole(guildId: string, name: string, permissions = '0'): APIRole {
    const r = { ...role(snowflake(), name), permissions };
    this.guild(guildId).roles.push(r);
    return r;
  }

  addMember(guildId: string, user: APIUser, nick: string | null = null): FakeMember {
    const member: FakeMember = { user, nick, avatar: null, roles: [], joined_at: new Date().toISOString() };
    this.guild(guildId).members.set(user.id, member);
    return member;
  }

  addChannel(guildId: string, name: string): FakeChannel {
    this.guild(guildId);
    return this.putChannel({ id: snowflake(), type: ChannelType.GuildText, name, guild_id: guildId });
  }

  addThread(parentId: string, name: string): FakeChannel {
    const parent = this.channel(parentId);
    return this.putChannel({ id: snowflake(), type: ChannelType.PublicThread, name, guild_id: parent.guild_id, parent_id: parentId });
  }

  addDm(recipient: APIUser): FakeChannel {
    return this.putChannel({ id: snowflake(), type: ChannelType.DM, name: '', recipient });
  }

  guild(id: string): FakeGuild {
    const g = this.guilds.get(id);
    if (!g) throw new Error(`fake discord: no guild ${id}`);
    return g;
  }

  channel(id: string): FakeChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`fake discord: no channel ${id}`);
    return c;
  }

  findMessage(channelId: string, id: string): APIMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.id === id);
  }

  /** Messages of a channel, oldest first. */
  history(channelId: string): APIMessage[] {
    return [...(this.messages.get(channelId) ?? [])].sort((a, b) => compareSnowflakes(a.id, b.id));
  }

  createMessage(channelId: string, init: MessageInit): APIMessage {
    const id = snowflake();
    const attachments: APIAttachment[] = (init.files ?? []).map((f) => {
      const attId = snowflake();
      this.files.set(attId, f);
      const url = `${this.baseUrl}/attachments/${channelId}/${attId}/${encodeURIComponent(f.name)}`;
      return { id: attId, filename: f.name, size: f.data.length, url, proxy_url: url, content_type: f.contentType };
    });
    const found = parseMentions(init.content);
    const reference: APIMessageReference | undefined = init.reference
      ? { message_id: init.reference.id, channel_id: channelId, ...guildIdOf(this.channel(channelId)) }
      : undefined;
    const message: APIMessage = {
      id,
      channel_id: channelId,
      author: init.author,
      content: init.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: found.everyone,
      mentions: found.users.flatMap((u) => this.users.get(u) ?? []),
      mention_roles: found.roles,
      attachments,
      embeds: [],
      pinned: false,
      type: init.type ?? (reference ? MessageType.Reply : MessageType.Default),
      ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
      ...(init.nonce !== undefined ? { nonce: init.nonce } : {}),
      ...(reference ? { message_reference: reference, referenced_message: init.reference } : {}),
    };
    const list = this.messages.get(channelId) ?? [];
    list.push(message);
    this.messages.set(channelId, list);
    return message;
  }

  /** The channel as Discord's REST API returns it. */
  apiChannel(c: FakeChannel): APIChannel {
    if (c.type === ChannelType.DM) {
      return { id: c.id, type: c.type, name: null, last_message_id: null, recipients: c.recipient ? [c.recipient] : [] };
    }
    if (c.type === ChannelType.PublicThread) {
      return {
        id: c.id,
        type: c.type,
        name: c.name,
        guild_id: c.guild_id,
        parent_id: c.parent_id,
        last_message_id: null,
        rate_limit_per_user: 0,
        owner_id: this.guild(c.guild_id ?? '').owner_id,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
        message_count: 0,
        member_count: 1,
        total_message_sent: 0,
      };
    }
    return {
      id: c.id,
      type: c.type,
      name: c.name,
      guild_id: c.guild_id,
      position: 0,
      permission_overwrites: c.overwrites ?? [],
      parent_id: null,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    };
  }

  private putChannel(c: FakeChannel): FakeChannel {
    this.channels.set(c.id, c);
    return c;
  }
}

/** Bit-flag fields with no flag set (a plain number, which numeric flag enums accept). */
const NO_FLAGS: number = 0;

function role(id: string, name: string): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    position: 0,
    permissions: '0',
    managed: false,
    mentionable: true,
    flags: NO_FLAGS,
  };
}

export function guildIdOf(c: FakeChannel): { guild_id?: string } {
  return c.guild_id ? { guild_id: c.guild_id } : {};
}

export interface Mentions {
  users: string[];
  roles: string[];
  everyone: boolean;
}

/** Mentions Discord would see in `content`: not escaped with a backslash, not inside code. */
export function parseMentions(content: string): Mentions {
  const text = content.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
  const users = new Set<string>();
  const roles = new Set<string>();
  for (const m of text.matchAll(/(?<!\\)<@(!?|&)(\d+)>/g)) {
    if (m[1] === '&') roles.add(m[2] ?? '');
    else users.add(m[2] ?? '');
  }
  return { users: [...users], roles: [...roles], everyone: /(?<![\\\w])@(everyone|here)\b/.test(text) };
}

/** Who a message really notifies, given its allowed_mentions (absent: everything it mentions). */
export function pingsOf(content: string, allowed?: APIAllowedMentions): string[] {
  const m = parseMentions(content);
  const parse = new Set<string>(allowed ? (allowed.parse ?? []) : ['users', 'roles', 'everyone']);
  const users = new Set(allowed?.users ?? []);
  const roles = new Set(allowed?.roles ?? []);
  return [
    ...m.users.filter((u) => parse.has('users') || users.has(u)).map((u) => `user:${u}`),
    ...m.roles.filter((r) => parse.has('roles') || roles.has(r)).map((r) => `role:${r}`),
    ...(m.everyone && parse.has('everyone') ? ['everyone'] : []),
  ];
}
