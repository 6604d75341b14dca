/** Slack, as the core sees it. The bot (and Bolt) load only when Slack is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { SLACK_ENV, slackConfig } from './config.js';

export const slack: PlatformDescriptor = {
  name: 'slack',
  displayName: 'Slack',
  cannot: [],
  ...SLACK_ENV,
  async create(env) {
    const { createSlackBot } = await import('./index.js');
    return createSlackBot(slackConfig(env));
  },
};
