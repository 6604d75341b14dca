/**
 * Telegram bot configuration: the typed object the factory receives, and how it is read from the
 * environment (TELEGRAM_TOKEN, TELEGRAM_API_URL, TELEGRAM_WEBHOOK_SECRET).
 */
import { createHash } from 'node:crypto';

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

export function telegramConfigFromEnv(env: NodeJS.ProcessEnv): TelegramConfig | undefined {
  const token = env.TELEGRAM_TOKEN?.trim();
  if (!token) return undefined;
  const apiUrl = env.TELEGRAM_API_URL?.trim() || undefined;
  const webhookSecret = env.TELEGRAM_WEBHOOK_SECRET?.trim() || undefined;
  return checkConfig({ token, ...(apiUrl ? { apiUrl } : {}), ...(webhookSecret ? { webhookSecret } : {}) });
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
