/** Microsoft Teams, as the core sees it. The bot (and its SDK) load only when Teams is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { TEAMS_ENV, teamsConfig } from './config.js';

export const teams: PlatformDescriptor = {
  name: 'teams',
  displayName: 'Teams',
  cannot: [],
  ...TEAMS_ENV,
  async create(env) {
    const { createTeamsBot } = await import('./index.js');
    return createTeamsBot(teamsConfig(env));
  },
};
