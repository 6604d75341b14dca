/** Exponential back-off for reconnect and re-poll loops: `baseMs · 2^failures`, at most a minute. */
export function backoffMs(baseMs: number, failures: number): number {
  return Math.min(baseMs * 2 ** failures, 60_000);
}
