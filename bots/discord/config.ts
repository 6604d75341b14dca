/** Discord bot configuration, and its environment keys (declared once, read by the core's parser). */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface DiscordConfig {
  /** Bot token (DISCORD_TOKEN). */
  readonly token: string;
  /** API base without version (DISCORD_API_URL), default https://discord.com/api. */
  readonly apiUrl?: string;
  /** How often to check the inbound-connection lease when the core gives one (ms). */
  readonly leasePollMs?: number;
}

export const DISCORD_API_URL = 'https://discord.com/api';

export const DISCORD_ENV: PlatformEnv = {
  enabledBy: ['DISCORD_TOKEN'],
  env: [
    { key: 'DISCORD_TOKEN', kind: 'string', secret: true, required: true, doc: 'bot token; the Discord bot starts when it is set' },
    { key: 'DISCORD_API_URL', kind: 'url', default: DISCORD_API_URL, doc: 'REST base (no `/v10`); the gateway URL is discovered through it (`GET /v10/gateway/bot`)' },
  ],
};

export function discordConfig(v: EnvValues): DiscordConfig {
  return { token: v.str('DISCORD_TOKEN') ?? '', apiUrl: v.str('DISCORD_API_URL') ?? DISCORD_API_URL };
}

export function discordConfigFromEnv(env: NodeJS.ProcessEnv): DiscordConfig | undefined {
  const v = readPlatformEnv(DISCORD_ENV, env);
  return v && discordConfig(v);
}
