/**
 * Slack Web API failures → DeliveryError. The WebClient runs with `retries: 0` and
 * `rejectRateLimitedCalls: true`, so a 429 surfaces here at once with its Retry-After.
 * Messages carry the method and Slack's error code only: never a token or a signed URL.
 */
import { DeliveryError, fromHttpStatus, rateLimited, unavailable } from '../../src/errors.js';

const NOT_FOUND = new Set(['channel_not_found', 'message_not_found', 'thread_not_found', 'user_not_found', 'file_not_found']);
const FORBIDDEN = new Set([
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'not_allowed_token_type',
  'cant_update_message',
  'cant_delete_message',
  'ekm_access_denied',
  'team_access_not_granted',
]);
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

interface CodedLike {
  readonly code?: unknown;
  readonly retryAfter?: unknown;
  readonly statusCode?: unknown;
  readonly headers?: unknown;
  readonly data?: unknown;
}

const asCoded = (err: unknown): CodedLike => (typeof err === 'object' && err !== null ? (err as CodedLike) : {});

/** The `error` string of a Slack platform error (`ok: false`), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = asCoded(err);
  if (e.code !== 'slack_webapi_platform_error') return undefined;
  const data = e.data;
  if (typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string') {
    return (data as { error: string }).error;
  }
  return undefined;
}

/** Retry-After (seconds, or an HTTP date) → milliseconds. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(String(value));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Map anything a Slack call threw to a DeliveryError (already-typed errors pass through). */
export function toDeliveryError(err: unknown, method: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = asCoded(err);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const secs = typeof e.retryAfter === 'number' ? e.retryAfter : 1;
      return rateLimited(`slack ${method}: rate limited`, secs * 1000);
    }
    case 'slack_webapi_platform_error': {
      const code = slackErrorCode(err) ?? 'unknown_error';
      const msg = `slack ${method}: ${code}`;
      if (code === 'ratelimited' || code === 'rate_limited') return rateLimited(msg, 1000);
      if (NOT_FOUND.has(code)) return new DeliveryError('not_found', msg);
      if (FORBIDDEN.has(code)) return new DeliveryError('forbidden', msg);
      if (TRANSIENT.has(code)) return unavailable(msg);
      return new DeliveryError('rejected', msg);
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
      const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, unknown>) : {};
      return fromHttpStatus(status, `slack ${method}: HTTP ${status}`, retryAfterMs(headers['retry-after']));
    }
    case 'slack_webapi_request_error':
      return unavailable(`slack ${method}: request failed`);
    default:
      return unavailable(`slack ${method}: ${err instanceof Error ? err.name : 'error'}`);
  }
}

/** Run one Slack call; failures become DeliveryErrors. */
export async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDeliveryError(err, method);
  }
}
