/** Discord, as the core sees it. The bot (and discord.js) load only when Discord is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { DISCORD_ENV, discordConfig } from './config.js';

export const discord: PlatformDescriptor = {
  name: 'discord',
  displayName: 'Discord',
  cannot: [],
  ...DISCORD_ENV,
  async create(env) {
    const { createDiscordBot } = await import('./index.js');
    return createDiscordBot(discordConfig(env));
  },
};
