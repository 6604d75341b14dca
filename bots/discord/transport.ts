/**
 * The REST side of the Discord bot: one discord.js `REST` instance with its own retries and
 * rate-limit queueing turned off (the bridge's delivery queue retries), error mapping to
 * DeliveryError, token redaction, avatar URLs and attachment downloads.
 */
import { DiscordAPIError, HTTPError, REST, RateLimitError } from 'discord.js';
import type { APIUser } from 'discord-api-types/v10';
import { DeliveryError, fromHttpStatus, rateLimited, unavailable } from '../../src/errors.js';
import type { BotContext } from '../../src/bot.js';

export const DEFAULT_API_URL = 'https://discord.com/api';
const CDN = 'https://cdn.discordapp.com';

/** REST options shared by our REST client and the gateway Client: no retries, 429s surface at once. */
export function restOptions(api: string): { api: string; retries: number; offset: number; rejectOnRateLimit: () => boolean } {
  return { api, retries: 0, offset: 0, rejectOnRateLimit: () => true };
}

export function createRest(api: string, token: string): REST {
  return new REST(restOptions(api)).setToken(token);
}

/** Hide webhook and interaction tokens (and bot tokens) in anything that may reach a log. */
export function redact(s: string, token?: string): string {
  let out = s
    .replace(/(webhooks\/\d+\/)[\w.-]+/g, '$1***')
    .replace(/(interactions\/\d+\/)[\w.-]+/g, '$1***');
  if (token) out = out.split(token).join('***');
  return out;
}

/** Map anything a REST call threw to a DeliveryError (what: a short description of the call). */
export function toDeliveryError(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    const wait = Math.max(err.retryAfter, err.timeToReset, 0) || 1000;
    return rateLimited(`discord ${what}: rate limited (${err.global ? 'global' : err.scope})`, Math.ceil(wait));
  }
  if (err instanceof DiscordAPIError) {
    return fromHttpStatus(err.status, `discord ${what}: ${err.status} (code ${String(err.code)}) ${redact(err.message)}`);
  }
  if (err instanceof HTTPError) return fromHttpStatus(err.status, `discord ${what}: HTTP ${err.status}`);
  const msg = err instanceof Error ? err.message : String(err);
  return unavailable(`discord ${what}: ${redact(msg)}`);
}

/** Run one REST call and turn its failure into a DeliveryError. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDeliveryError(err, what);
  }
}

/** A Discord API error code, when `err` is one. */
export function apiCode(err: unknown): number | string | undefined {
  return err instanceof DiscordAPIError ? err.code : undefined;
}

export function apiStatus(err: unknown): number | undefined {
  return err instanceof DiscordAPIError || err instanceof HTTPError ? err.status : undefined;
}

/** Avatar URL of a user, preferring the per-guild avatar, falling back to Discord's default avatar. */
export function avatarUrl(user: APIUser, guildId?: string, memberAvatar?: string | null): string {
  if (guildId && memberAvatar) return `${CDN}/guilds/${guildId}/users/${user.id}/avatars/${memberAvatar}.${ext(memberAvatar)}`;
  if (user.avatar) return `${CDN}/avatars/${user.id}/${user.avatar}.${ext(user.avatar)}`;
  const index = user.discriminator && user.discriminator !== '0' ? Number(user.discriminator) % 5 : Number((BigInt(user.id) >> 22n) % 6n);
  return `${CDN}/embed/avatars/${index}.png`;
}

function ext(hash: string): string {
  return hash.startsWith('a_') ? 'gif' : 'png';
}

/** Where Discord serves attachments (signed CDN URLs; no credentials needed). */
export const FILE_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'] as const;

/** Download an attachment through the bridge's fetcher: Discord's CDN, or the configured API host (a proxy, the fake in tests). */
export function attachmentDownloader(ctx: Pick<BotContext, 'download'>, apiUrl: string): (url: string) => Promise<Uint8Array> {
  return (url) => ctx.download(url, { hosts: FILE_HOSTS, configured: [apiUrl] });
}
