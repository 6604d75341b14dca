/** XMPP, as the core sees it. The bot (and its client library) load only when XMPP is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { XMPP_ENV, xmppConfig } from './config.js';

export const xmpp: PlatformDescriptor = {
  name: 'xmpp',
  displayName: 'XMPP',
  cannot: [],
  ...XMPP_ENV,
  async create(env) {
    const { createXmppBot } = await import('./index.js');
    return createXmppBot(xmppConfig(env));
  },
};
