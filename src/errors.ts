/**
 * Typed delivery errors. A bot's send/edit/delete throws one of these (or anything else, which
 * the queue treats as transient). Nothing is swallowed: transient errors are retried with
 * backoff, permanent ones go to the dead-letter list with a security-log line.
 */

import { inspect } from 'node:util';

export type DeliveryErrorCode = 'rate_limited' | 'unavailable' | 'rejected' | 'not_found' | 'forbidden';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    /** How long the platform asked us to wait, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Retrying may succeed (rate limits, 5xx, network). */
  get transient(): boolean {
    return this.code === 'rate_limited' || this.code === 'unavailable';
  }
}

export const rateLimited = (message: string, retryAfterMs: number): DeliveryError =>
  new DeliveryError('rate_limited', message, retryAfterMs);

export const unavailable = (message: string): DeliveryError => new DeliveryError('unavailable', message);

export const rejected = (message: string): DeliveryError => new DeliveryError('rejected', message);

/** Classify an HTTP status from a platform API into a DeliveryError. */
export function fromHttpStatus(status: number, message: string, retryAfterMs?: number): DeliveryError {
  if (status === 429) return rateLimited(message, retryAfterMs ?? 1000);
  if (status >= 500 || status === 408) return new DeliveryError('unavailable', message, retryAfterMs);
  if (status === 404) return new DeliveryError('not_found', message);
  if (status === 401 || status === 403) return new DeliveryError('forbidden', message);
  return rejected(message);
}

/** Is this error worth retrying? Unknown errors (network, bugs in a client) are. */
export function isTransient(err: unknown): boolean {
  return err instanceof DeliveryError ? err.transient : true;
}

/** A refusal that proves the platform did not take the request (a rate limit): nothing to look for after it. */
export function provesNotDone(err: unknown): boolean {
  return err instanceof DeliveryError && err.code === 'rate_limited';
}

export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof DeliveryError ? err.retryAfterMs : undefined;
}

/**
 * What went wrong, in one line for a person or a dead-letter record: an Error's name, message
 * and code; anything else thrown, inspected (never `[object Object]`).
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}: ${err.message}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`;
  }
  return inspect(err, { depth: 2, breakLength: Infinity });
}

/** Does this error's message contain `text` (a Redis reply such as BUSYGROUP)? */
export function messageHas(err: unknown, text: string): boolean {
  return err instanceof Error && err.message.includes(text);
}
