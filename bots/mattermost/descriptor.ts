/** Mattermost, as the core sees it. The bot loads only when Mattermost is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { MATTERMOST_ENV, mattermostConfig } from './config.js';

export const mattermost: PlatformDescriptor = {
  name: 'mattermost',
  displayName: 'Mattermost',
  cannot: [],
  ...MATTERMOST_ENV,
  async create(env) {
    const { createMattermostBot } = await import('./index.js');
    return createMattermostBot(mattermostConfig(env));
  },
};
