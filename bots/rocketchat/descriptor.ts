/** Rocket.Chat, as the core sees it. The bot loads only when Rocket.Chat is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { ROCKETCHAT_ENV, rocketchatConfig } from './config.js';

export const rocketchat: PlatformDescriptor = {
  name: 'rocketchat',
  displayName: 'Rocket.Chat',
  cannot: [],
  ...ROCKETCHAT_ENV,
  async create(env) {
    const { createRocketChatBot } = await import('./index.js');
    return createRocketChatBot(rocketchatConfig(env));
  },
};
