/**
 * What the bot knows about guilds, channels, threads, roles and member names, kept from gateway
 * dispatches (GUILD_CREATE, CHANNEL_*, THREAD_*, GUILD_ROLE_*), with a REST fallback for channels.
 */
import {
  ChannelType,
  Routes,
  type APIChannel,
  type APIGuildMember,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import type { REST } from 'discord.js';
import { call } from './transport.js';

export interface ChannelInfo {
  readonly id: string;
  readonly guildId?: string;
  /** For threads: the channel the thread lives in (webhooks belong to it). */
  readonly parentId?: string;
  readonly name?: string;
  readonly thread: boolean;
  readonly dm: boolean;
  /** For DMs: the other person's name. */
  readonly recipient?: string;
}

interface GuildInfo {
  name: string;
  /** from GUILD_CREATE: the owner has every permission */
  ownerId?: string;
  readonly roles: Map<string, string>;
  /** role id → permission bits (for admin checks, admins.ts) */
  readonly rolePermissions: Map<string, bigint>;
  /** Per-guild display names (nickname, else global name, else username). */
  readonly members: Map<string, string>;
}

const THREADS = new Set<ChannelType>([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread]);
const DMS = new Set<ChannelType>([ChannelType.DM, ChannelType.GroupDM]);

export function displayName(user: APIUser, nick?: string | null): string {
  return nick || user.global_name || user.username;
}

export class Directory {
  private readonly channels = new Map<string, ChannelInfo>();
  private readonly guilds = new Map<string, GuildInfo>();
  private readonly users = new Map<string, string>();

  onGuildCreate(g: GatewayGuildCreateDispatchData): void {
    const info = this.guild(g.id);
    info.name = g.name;
    info.ownerId = g.owner_id;
    for (const r of g.roles) this.onRole(g.id, r);
    for (const m of g.members) this.onMember(g.id, m);
    for (const c of [...g.channels, ...g.threads]) this.onChannel(c, g.id);
  }

  onChannel(c: APIChannel, guildId?: string): void {
    const info = toInfo(c, guildId ?? ('guild_id' in c ? c.guild_id : undefined));
    this.channels.set(c.id, info);
  }

  onChannelDelete(id: string): void {
    this.channels.delete(id);
  }

  onRole(guildId: string, role: APIRole): void {
    this.guild(guildId).roles.set(role.id, role.name);
    this.guild(guildId).rolePermissions.set(role.id, BigInt(role.permissions));
  }

  onMember(guildId: string, m: Pick<APIGuildMember, 'nick'> & { user?: APIUser }): void {
    if (!m.user) return;
    this.users.set(m.user.id, displayName(m.user));
    this.guild(guildId).members.set(m.user.id, displayName(m.user, m.nick));
  }

  /** The channel from what the gateway told us, or undefined. */
  peek(id: string): ChannelInfo | undefined {
    return this.channels.get(id);
  }

  /** The channel, asking the API when the gateway has not told us about it (REST-only mode, DMs). */
  async get(id: string, rest: REST): Promise<ChannelInfo> {
    const known = this.channels.get(id);
    if (known) return known;
    const c = (await call('get channel', () => rest.get(Routes.channel(id)))) as APIChannel;
    const info = toInfo(c, 'guild_id' in c ? c.guild_id : undefined);
    this.channels.set(id, info);
    return info;
  }

  userName(guildId: string | undefined, userId: string): string | undefined {
    return (guildId ? this.guilds.get(guildId)?.members.get(userId) : undefined) ?? this.users.get(userId);
  }

  roleName(guildId: string | undefined, roleId: string): string | undefined {
    return guildId ? this.guilds.get(guildId)?.roles.get(roleId) : undefined;
  }

  channelName(id: string): string | undefined {
    return this.channels.get(id)?.name;
  }

  /** What an admin check needs of a guild, once its GUILD_CREATE arrived. */
  guildPermissions(id: string): { readonly ownerId: string; readonly roles: ReadonlyMap<string, bigint> } | undefined {
    const g = this.guilds.get(id);
    return g?.ownerId ? { ownerId: g.ownerId, roles: g.rolePermissions } : undefined;
  }

  guildName(id: string): string | undefined {
    return this.guilds.get(id)?.name;
  }

  private guild(id: string): GuildInfo {
    let g = this.guilds.get(id);
    if (!g) {
      g = { name: '', roles: new Map(), rolePermissions: new Map(), members: new Map() };
      this.guilds.set(id, g);
    }
    return g;
  }
}

function toInfo(c: APIChannel, guildId: string | undefined): ChannelInfo {
  const thread = THREADS.has(c.type);
  const dm = DMS.has(c.type);
  const parent = 'parent_id' in c && c.parent_id ? c.parent_id : undefined;
  const recipient = 'recipients' in c && c.recipients?.[0] ? displayName(c.recipients[0]) : undefined;
  return {
    id: c.id,
    ...(guildId ? { guildId } : {}),
    ...(thread && parent ? { parentId: parent } : {}),
    ...(c.name ? { name: c.name } : {}),
    thread,
    dm,
    ...(recipient ? { recipient } : {}),
  };
}
