/** GroupMe, as the core sees it. The bot loads only when GroupMe is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { GROUPME_ENV, groupmeConfig } from './config.js';

export const groupme: PlatformDescriptor = {
  name: 'groupme',
  displayName: 'GroupMe',
  // The bots API posts only; no callback reports edits or deletes.
  cannot: ['report-edits', 'report-deletes', 'show-edits', 'show-deletes'],
  ...GROUPME_ENV,
  async create(env) {
    const { createGroupMeBot } = await import('./index.js');
    return createGroupMeBot(groupmeConfig(env));
  },
};
