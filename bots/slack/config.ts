/** Slack bot configuration, and reading it from the environment. */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

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

export const SLACK_ENV: PlatformEnv = {
  enabledBy: ['SLACK_BOT_TOKEN'],
  // A bot token without a signing secret or an app token cannot hear anything.
  requireOneOf: [['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']],
  env: [
    { key: 'SLACK_BOT_TOKEN', kind: 'string', secret: true, required: true, doc: 'bot token `xoxb-…`; the Slack bot starts when it is set' },
    { key: 'SLACK_SIGNING_SECRET', kind: 'string', secret: true, doc: 'Events API over HTTP: checks every request (bad or > 5 min old → 401)' },
    { key: 'SLACK_APP_TOKEN', kind: 'string', secret: true, doc: '`xapp-…` with `connections:write`: Socket Mode' },
    { key: 'SLACK_API_URL', kind: 'url', default: DEFAULTS.apiUrl, doc: 'Web API base (GovSlack: `https://slack-gov.com/api/`)' },
  ],
};

export function slackConfig(v: EnvValues): SlackConfig {
  const signingSecret = v.str('SLACK_SIGNING_SECRET');
  const appToken = v.str('SLACK_APP_TOKEN');
  const apiUrl = v.isSet('SLACK_API_URL') ? v.str('SLACK_API_URL') : undefined;
  return {
    botToken: v.str('SLACK_BOT_TOKEN') ?? '',
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(apiUrl ? { apiUrl } : {}),
  };
}

/** The Slack config from `SLACK_*` keys, or undefined when `SLACK_BOT_TOKEN` is not set. */
export function slackConfigFromEnv(env: NodeJS.ProcessEnv): SlackConfig | undefined {
  const v = readPlatformEnv(SLACK_ENV, env);
  return v && slackConfig(v);
}

/** The API base with exactly one trailing slash (the WebClient appends method names). */
export const normalizeApiUrl = (url: string): string => url.replace(/\/+$/, '') + '/';
