/** Mattermost bot configuration, and its environment keys (declared once, read by the core's parser). */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface MattermostConfig {
  /** Server URL, e.g. `https://chat.example.com` (MATTERMOST_URL). */
  readonly url: string;
  /** The bot account's access token (MATTERMOST_TOKEN). */
  readonly token: string;
  /** Upload limit; default 100 MiB, Mattermost's default `MaxFileSize`. */
  readonly maxFileBytes?: number;
  /** First reconnect delay of the WebSocket. Default 1 s. */
  readonly retryMs?: number;
  /** WebSocket ping interval. Default 30 s. */
  readonly pingMs?: number;
}

export const MATTERMOST_ENV: PlatformEnv = {
  enabledBy: ['MATTERMOST_URL', 'MATTERMOST_TOKEN'],
  env: [
    { key: 'MATTERMOST_URL', kind: 'url', required: true, doc: 'server URL, e.g. `https://chat.example.com`' },
    { key: 'MATTERMOST_TOKEN', kind: 'string', secret: true, required: true, doc: "the bot account's access token" },
  ],
};

export function mattermostConfig(v: EnvValues): MattermostConfig {
  return { url: v.str('MATTERMOST_URL') ?? '', token: v.str('MATTERMOST_TOKEN') ?? '' };
}

export function mattermostConfigFromEnv(env: NodeJS.ProcessEnv): MattermostConfig | undefined {
  const v = readPlatformEnv(MATTERMOST_ENV, env);
  return v && mattermostConfig(v);
}
