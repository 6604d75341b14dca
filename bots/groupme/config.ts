/** GroupMe bot configuration, and reading it from the environment. */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface GroupMeConfig {
  /** The bridge account's access token (dev.groupme.com → Access Token). */
  readonly accessToken: string;
  /** Default `https://api.groupme.com/v3`. */
  readonly apiUrl?: string;
  /** Default `https://image.groupme.com`. */
  readonly imageUrl?: string;
  /** Name of the bot made in each group; copies appear under it. Default `Sameroom`. */
  readonly botName?: string;
  /** Avatar of those bots (must be an image service URL). */
  readonly avatarUrl?: string;
  /** How often the groups are listed again to set up bots in new groups. Default 5 min. */
  readonly syncIntervalMs?: number;
  /** How long a post waits for its echo to learn its GroupMe id. Default 2 s; 0 never waits. */
  readonly echoWaitMs?: number;
  /** Largest image re-hosted on the image service; bigger ones are posted as links. Default 10 MB. */
  readonly maxImageBytes?: number;
  /** Largest inbound attachment downloaded. Default 50 MB. */
  readonly maxDownloadBytes?: number;
  /** Page size for `GET /groups`. Default 100. */
  readonly groupsPerPage?: number;
  readonly fetch?: typeof fetch;
}

export const DEFAULTS = {
  apiUrl: 'https://api.groupme.com/v3',
  imageUrl: 'https://image.groupme.com',
  botName: 'Sameroom',
  syncIntervalMs: 5 * 60_000,
  echoWaitMs: 2_000,
  maxImageBytes: 10 * 1024 * 1024,
  maxDownloadBytes: 50 * 1024 * 1024,
} as const;

export const GROUPME_ENV: PlatformEnv = {
  enabledBy: ['GROUPME_ACCESS_TOKEN'],
  env: [
    { key: 'GROUPME_ACCESS_TOKEN', kind: 'string', secret: true, required: true, doc: "the bridge account's token; GroupMe is on when it is set" },
    { key: 'GROUPME_API_URL', kind: 'url', default: DEFAULTS.apiUrl, doc: 'API base (proxies, tests)' },
    { key: 'GROUPME_IMAGE_URL', kind: 'url', default: DEFAULTS.imageUrl, doc: 'image service base' },
    { key: 'GROUPME_BOT_NAME', kind: 'string', default: DEFAULTS.botName, doc: 'name of the bot made in each group (also answers `@Sameroom open`)' },
    { key: 'GROUPME_AVATAR_URL', kind: 'url', doc: "that bot's avatar (must be an `i.groupme.com` URL)" },
    { key: 'GROUPME_SYNC_INTERVAL_MS', kind: 'number', min: 1000, default: String(DEFAULTS.syncIntervalMs), doc: 'how often the group list is read again (ms)' },
  ],
};

export function groupmeConfig(v: EnvValues): GroupMeConfig {
  const avatarUrl = v.str('GROUPME_AVATAR_URL');
  return {
    accessToken: v.str('GROUPME_ACCESS_TOKEN') ?? '',
    apiUrl: v.str('GROUPME_API_URL') ?? DEFAULTS.apiUrl,
    imageUrl: v.str('GROUPME_IMAGE_URL') ?? DEFAULTS.imageUrl,
    ...(v.isSet('GROUPME_BOT_NAME') ? { botName: v.str('GROUPME_BOT_NAME') ?? DEFAULTS.botName } : {}),
    ...(avatarUrl ? { avatarUrl } : {}),
    ...(v.isSet('GROUPME_SYNC_INTERVAL_MS') ? { syncIntervalMs: v.num('GROUPME_SYNC_INTERVAL_MS') ?? DEFAULTS.syncIntervalMs } : {}),
  };
}

/** The GroupMe config from `GROUPME_*` keys; `undefined` when no token. */
export function groupmeConfigFromEnv(env: NodeJS.ProcessEnv): GroupMeConfig | undefined {
  const v = readPlatformEnv(GROUPME_ENV, env);
  return v && groupmeConfig(v);
}
