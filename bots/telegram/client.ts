/**
 * Transport: the node-telegram-bot-api client, error mapping to DeliveryError, file downloads.
 * The client's own retries are off (maxRetries 0) so a 429 or 5xx reaches the bridge's queue.
 */
import { Bot, NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { DeliveryError, fromHttpStatus, rateLimited, unavailable } from '../../src/errors.js';
import { DownloadError, type Download } from '../../src/download.js';
import { apiRootOf, type TelegramConfig } from './config.js';

export function createClient(config: TelegramConfig): Bot {
  return new Bot(config.token, { apiRoot: apiRootOf(config), maxRetries: 0 });
}

/** Removes the token from any text that may reach a log or an error message. */
export function redactor(token: string): (text: string) => string {
  return (text) => (token ? text.split(token).join('<token>') : text);
}

/** Is this a Bot API refusal with this code and a description matching `re`? */
export function isApiError(err: unknown, code: number, re: RegExp): err is TelegramApiError {
  return err instanceof TelegramApiError && err.errorCode === code && re.test(err.description);
}

/**
 * Maps what the client throws to a DeliveryError: 429 → rate_limited with retry_after in ms,
 * 5xx and network failures → unavailable, 4xx → rejected / forbidden / not_found.
 * Anything else (a bug) is passed through unchanged; the queue treats it as transient.
 */
export function toDeliveryError(err: unknown, what: string, redact: (s: string) => string): unknown {
  if (err instanceof DeliveryError) return err;
  if (err instanceof TelegramApiError) {
    const message = redact(`telegram ${what}: ${err.errorCode} ${err.description}`);
    if (err.errorCode === 429) return rateLimited(message, Math.max(1, err.retryAfter ?? 1) * 1000);
    if (err.errorCode === 400 && /not found/i.test(err.description)) return new DeliveryError('not_found', message);
    return fromHttpStatus(err.errorCode, message);
  }
  if (err instanceof NetworkError || err instanceof TimeoutError || err instanceof ParseError) {
    return unavailable(redact(`telegram ${what}: ${err.message}`));
  }
  return err;
}

/** Runs one API call, mapping its failure. */
export async function call<T>(what: string, redact: (s: string) => string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDeliveryError(err, what, redact);
  }
}

/**
 * getFile, then GET {apiRoot}/file/bot<token>/<file_path> (the client has no download helper),
 * through the bridge's fetcher: only the configured API host (api.telegram.org by default).
 */
export async function downloadFile(client: Bot, config: TelegramConfig, fileId: string, download: Download): Promise<Uint8Array> {
  const redact = redactor(config.token);
  const file = await call('getFile', redact, () => client.api.getFile({ file_id: fileId }));
  if (!file.file_path) throw new DeliveryError('not_found', 'telegram getFile: no file_path in the answer');
  const root = apiRootOf(config);
  try {
    return await download(`${root}/file/bot${config.token}/${file.file_path}`, { configured: [root] });
  } catch (err) {
    if (err instanceof DownloadError) throw err; // its message names the host only, never the path with the token
    throw Object.assign(new Error(redact(`telegram file download: ${err instanceof Error ? err.message : 'failed'}`)), { cause: err });
  }
}
