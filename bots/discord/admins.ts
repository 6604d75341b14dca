/**
 * Who administers a Discord room: the guild's owner, and members with Administrator or Manage
 * Server, or Manage Channels in that channel (a thread: its parent), computed as Discord does:
 * @everyone and the member's roles, then the channel's overwrites (@everyone, the member's roles
 * together, the member). In a DM with the bot, the person. Roles and the owner come from the
 * gateway (GUILD_CREATE, GUILD_ROLE_*); the member's roles and the overwrites are read over REST.
 */
import type { REST } from 'discord.js';
import { PermissionFlagsBits, Routes, type APIGuildMember, type APIOverwrite } from 'discord-api-types/v10';
import { DeliveryError } from '../../src/errors.js';
import type { RoomRef } from '../../src/model.js';
import type { Directory } from './directory.js';
import { call } from './transport.js';

export const DISCORD_ADMINS_ARE = 'on Discord, members with Manage Server, or Manage Channels in this channel';

function overwrite(perms: bigint, ows: readonly APIOverwrite[]): bigint {
  let deny = 0n;
  let allow = 0n;
  for (const o of ows) {
    deny |= BigInt(o.deny);
    allow |= BigInt(o.allow);
  }
  return (perms & ~deny) | allow;
}

export async function isDiscordAdmin(rest: REST, dir: Directory, room: RoomRef, userId: string): Promise<boolean> {
  const guildId = room.workspace;
  if (!guildId) return true;
  const guild = dir.guildPermissions(guildId);
  if (!guild) throw new DeliveryError('unavailable', `guild ${guildId} not known yet`);
  if (guild.ownerId === userId) return true;
  const member = (await call('get member', () => rest.get(Routes.guildMember(guildId, userId)))) as APIGuildMember;
  let perms = guild.roles.get(guildId) ?? 0n;
  for (const r of member.roles) perms |= guild.roles.get(r) ?? 0n;
  if (perms & (PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild)) return true;
  const ch = await dir.get(room.channel, rest);
  const channel = (await call('get channel', () => rest.get(Routes.channel(ch.parentId ?? room.channel)))) as { permission_overwrites?: APIOverwrite[] };
  const ows = channel.permission_overwrites ?? [];
  perms = overwrite(perms, ows.filter((o) => o.id === guildId));
  perms = overwrite(perms, ows.filter((o) => o.type === 0 && o.id !== guildId && member.roles.includes(o.id)));
  perms = overwrite(perms, ows.filter((o) => o.type === 1 && o.id === userId));
  return (perms & PermissionFlagsBits.ManageChannels) !== 0n;
}
