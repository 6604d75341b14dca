/**
 * Connector failures → DeliveryError. The Agents SDK's connector client (on fetch) throws an
 * HttpError carrying `status` and the `response` with its `headers` (a fetch Headers) and `data`
 * (the parsed JSON body); a connection that fails throws fetch's TypeError with the system error
 * as `cause`.
 */
import { DeliveryError, fromHttpStatus } from '../../src/errors.js';

function field(v: unknown, name: string): unknown {
  return typeof v === 'object' && v !== null ? Reflect.get(v, name) : undefined;
}

/** Retry-After (seconds, or an HTTP date) in milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function retryAfterOf(err: unknown): number | undefined {
  const headers = field(field(err, 'response'), 'headers');
  const get = field(headers, 'get');
  const value: unknown = typeof get === 'function' ? (get as (n: string) => unknown).call(headers, 'retry-after') : undefined;
  return typeof value === 'string' ? parseRetryAfter(value) : undefined;
}

/** The Teams error code from the response body (`{"error":{"code":"Throttled",…}}`), if any. */
function teamsCode(err: unknown): string | undefined {
  const code = field(field(field(field(err, 'response'), 'data'), 'error'), 'code');
  return typeof code === 'string' ? code : undefined;
}

/** The system error code (ECONNREFUSED, …) of a failed connection, or a timeout. */
function networkCode(err: unknown): string | undefined {
  const name = field(err, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return 'ETIMEDOUT';
  for (const e of [err, field(err, 'cause')]) {
    const code = field(e, 'code');
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  }
  return field(err, 'message') === 'fetch failed' ? 'EFETCH' : undefined;
}

/** Map anything thrown by a connector call to a DeliveryError; unknown errors pass through unchanged. */
export function toDeliveryError(err: unknown, op: string): unknown {
  if (err instanceof DeliveryError) return err;
  const status = field(err, 'status');
  if (typeof status === 'number' && status >= 400) {
    const code = teamsCode(err);
    const message = `teams ${op}: HTTP ${status}${code ? ` ${code}` : ''}`;
    // 412 PreconditionFailed: concurrent operations on the conversation; Teams says retry.
    if (status === 412) return new DeliveryError('unavailable', message, retryAfterOf(err));
    return fromHttpStatus(status, message, retryAfterOf(err));
  }
  const code = networkCode(err);
  if (code) return new DeliveryError('unavailable', `teams ${op}: network error ${code}`);
  return err;
}
