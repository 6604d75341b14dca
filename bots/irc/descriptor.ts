/** IRC, as the core sees it. The bot (and its client library) load only when IRC is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { IRC_ENV, ircConfig } from './config.js';

export const irc: PlatformDescriptor = {
  name: 'irc',
  displayName: 'IRC',
  // IRC has no message ids: nothing can be edited or deleted, in either direction.
  cannot: ['report-edits', 'report-deletes', 'show-edits', 'show-deletes'],
  ...IRC_ENV,
  async create(env) {
    const { createIrcBot } = await import('./index.js');
    return createIrcBot(ircConfig(env));
  },
};
