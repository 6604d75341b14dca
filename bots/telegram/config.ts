/**
 * Telegram bot configuration: the typed object the factory receives, and how it is read from the
 * environment (TELEGRAM_TOKEN, TELEGRAM_API_URL, TELEGRAM_WEBHOOK_SECRET).
 */
import { createHash } from 'node:crypto';
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface TelegramConfig {
  /** Bot token from @BotFather (`123456:ABC…`). Never logged. */
  readonly token: string;
  /** Bot API root, without `/bot<token>`. Default `https://api.telegram.org`. */
  readonly apiUrl?: string;
  /** Webhook mode when set: Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`. */
  readonly webhookSecret?: string;
  /** Long-poll wait in seconds (default 30). */
  readonly pollTimeoutSeconds?: number;
  /** First wait after a failed poll, in ms; doubles up to 30 s (default 1000). */
  readonly pollRetryMs?: number;
  /** How often to look again whether this process holds the inbound lease, in ms (default 2000). */
  readonly leaseCheckMs?: number;
}

export const DEFAULT_API_URL = 'https://api.telegram.org';

/** What Telegram accepts as `secret_token` in setWebhook. */
const SECRET_RE = /^[A-Za-z0-9_-]{1,256}$/;

export const TELEGRAM_ENV: PlatformEnv = {
  enabledBy: ['TELEGRAM_TOKEN'],
  env: [
    { key: 'TELEGRAM_TOKEN', kind: 'string', secret: true, required: true, doc: 'the bot token; the Telegram bot starts when it is set' },
    { key: 'TELEGRAM_API_URL', kind: 'url', default: DEFAULT_API_URL, doc: 'Bot API root (self-hosted Bot API server, proxy, tests)' },
    { key: 'TELEGRAM_WEBHOOK_SECRET', kind: 'string', secret: true, doc: 'when set: webhook mode on `PUBLIC_URL` instead of long polling; 1-256 of `A-Z a-z 0-9 _ -`' },
  ],
};

export function telegramConfig(v: EnvValues): TelegramConfig {
  const apiUrl = v.isSet('TELEGRAM_API_URL') ? v.str('TELEGRAM_API_URL') : undefined;
  const webhookSecret = v.str('TELEGRAM_WEBHOOK_SECRET');
  return checkConfig({ token: v.str('TELEGRAM_TOKEN') ?? '', ...(apiUrl ? { apiUrl } : {}), ...(webhookSecret ? { webhookSecret } : {}) });
}

export function telegramConfigFromEnv(env: NodeJS.ProcessEnv): TelegramConfig | undefined {
  const v = readPlatformEnv(TELEGRAM_ENV, env);
  return v && telegramConfig(v);
}

/** Throws on a config Telegram would refuse, with a message that names the env key. */
export function checkConfig(config: TelegramConfig): TelegramConfig {
  if (!config.token) throw new Error('TELEGRAM_TOKEN is empty');
  if (config.webhookSecret !== undefined && !SECRET_RE.test(config.webhookSecret)) {
    throw new Error('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  }
  return config;
}

/**
 * The webhook path: unguessable without the token (a hash of it), stable across restarts so
 * the URL registered with Telegram keeps working.
 */
export function webhookPath(token: string): string {
  const digest = createHash('sha256').update(`sameroom/telegram/webhook/${token}`).digest('base64url');
  return `/telegram/${digest.slice(0, 32)}`;
}

export function apiRootOf(config: TelegramConfig): string {
  return (config.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
}
