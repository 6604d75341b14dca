/** The built-in web chat, as the core sees it: no credentials, always on. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { WEB_ENV, webConfig } from './config.js';

export const web: PlatformDescriptor = {
  name: 'web',
  displayName: 'Web',
  cannot: [],
  ...WEB_ENV,
  async create(env, core) {
    const { createWebBot } = await import('./index.js');
    return createWebBot(webConfig(env, core));
  },
};
