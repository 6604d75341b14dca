/** Slack bot configuration, and reading it from the environment. */

export interface SlackConfig {
  /** Bot token (`xoxb-…`), OAuth & Permissions → Bot User OAuth Token. */
  readonly botToken: string;
  /** Signing secret (Basic Information); required for the Events API over HTTP. */
  readonly signingSecret?: string;
  /** App-level token (`xapp-…`, scope `connections:write`): set → Socket Mode. */
  readonly appToken?: string;
  /** Web API base, default `https://slack.com/api/` (GovSlack, proxies, tests). */
  readonly apiUrl?: string;
  /** HTTP paths on the bridge's server (Events API mode). */
  readonly eventsPath?: string;
  readonly commandsPath?: string;
  /** Socket Mode: reconnect on its own after the connection drops. Default true. */
  readonly autoReconnect?: boolean;
  /** On start, read what was missed in channels heard before (conversations.history). Default true. */
  readonly catchUp?: boolean;
  /** conversations.history / conversations.replies page size for catch-up. Default 200. */
  readonly historyPageSize?: number;
  /** Catch-up: messages from before the downtime read for their edits and new thread replies. Default 100; 0: none. */
  readonly historyLookback?: number;
  /** Catch-up: threads remembered per channel as recently active, read for new replies. Default 20. */
  readonly rememberedThreads?: number;
}

export const DEFAULTS = {
  apiUrl: 'https://slack.com/api/',
  eventsPath: '/slack/events',
  commandsPath: '/slack/commands',
} as const;

/**
 * The Slack config from `SLACK_*` keys, or undefined when `SLACK_BOT_TOKEN` is not set.
 * A bot token without a signing secret or an app token cannot hear anything: that is an error.
 */
export function slackConfigFromEnv(env: NodeJS.ProcessEnv): SlackConfig | undefined {
  const botToken = env.SLACK_BOT_TOKEN?.trim();
  if (!botToken) return undefined;
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  if (!signingSecret && !appToken) {
    throw new Error('SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (Events API) nor SLACK_APP_TOKEN (Socket Mode) is');
  }
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  return {
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(apiUrl ? { apiUrl } : {}),
  };
}

/** The API base with exactly one trailing slash (the WebClient appends method names). */
export const normalizeApiUrl = (url: string): string => url.replace(/\/+$/, '') + '/';
