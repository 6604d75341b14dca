/** GroupMe bot configuration, and reading it from the environment. */

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

const positive = (v: string | undefined): number | undefined => {
  const n = Number(v);
  return v && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/**
 * `GROUPME_ACCESS_TOKEN` (required), `GROUPME_API_URL`, `GROUPME_IMAGE_URL`, and the optional
 * `GROUPME_BOT_NAME`, `GROUPME_AVATAR_URL`, `GROUPME_SYNC_INTERVAL_MS`. `undefined` when no token.
 */
export function groupmeConfigFromEnv(env: NodeJS.ProcessEnv): GroupMeConfig | undefined {
  const accessToken = env.GROUPME_ACCESS_TOKEN?.trim();
  if (!accessToken) return undefined;
  const syncIntervalMs = positive(env.GROUPME_SYNC_INTERVAL_MS);
  return {
    accessToken,
    apiUrl: env.GROUPME_API_URL || DEFAULTS.apiUrl,
    imageUrl: env.GROUPME_IMAGE_URL || DEFAULTS.imageUrl,
    ...(env.GROUPME_BOT_NAME ? { botName: env.GROUPME_BOT_NAME } : {}),
    ...(env.GROUPME_AVATAR_URL ? { avatarUrl: env.GROUPME_AVATAR_URL } : {}),
    ...(syncIntervalMs ? { syncIntervalMs } : {}),
  };
}
