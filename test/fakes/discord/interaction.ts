/** The INTERACTION_CREATE payload of a chat-input (slash) command, as Discord sends it. */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  InteractionType,
  Locale,
  type APIApplicationCommand,
  type APIChatInputApplicationCommandInteraction,
  type APIGuildMemberNoUser,
  type APIUser,
} from 'discord-api-types/v10';
import { snowflake } from './snowflake.js';
import type { FakeChannel } from './world.js';

export interface SlashInit {
  readonly appId: string;
  readonly command: APIApplicationCommand;
  readonly channel: FakeChannel;
  readonly user: APIUser;
  readonly member: APIGuildMemberNoUser | undefined;
  readonly args: string | undefined;
  readonly maxFileBytes: number;
}

export function slashInteraction(o: SlashInit): APIChatInputApplicationCommandInteraction {
  const id = snowflake();
  const base = {
    id,
    application_id: o.appId,
    type: InteractionType.ApplicationCommand as const,
    token: `itoken-${id}`,
    version: 1 as const,
    app_permissions: '8',
    locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: {},
    attachment_size_limit: o.maxFileBytes,
    channel_id: o.channel.id,
    channel: { id: o.channel.id, type: o.channel.type },
    data: {
      id: o.command.id,
      name: o.command.name,
      type: ApplicationCommandType.ChatInput as const,
      ...(o.args !== undefined ? { options: [{ name: 'args', type: ApplicationCommandOptionType.String as const, value: o.args }] } : {}),
    },
  };
  const guildId = o.channel.guild_id;
  if (guildId && o.member) {
    return {
      ...base,
      context: InteractionContextType.Guild,
      guild_id: guildId,
      guild: { id: guildId, features: [], locale: Locale.EnglishUS },
      guild_locale: Locale.EnglishUS,
      member: { ...o.member, user: o.user, permissions: '0' },
    };
  }
  return { ...base, context: InteractionContextType.BotDM, user: o.user };
}
