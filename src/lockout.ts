/**
 * The connect lockout: a budget of failed attempts per scope (room, person, client address) in
 * a window. Increment first, then check: every attempt takes a number from an atomic counter
 * before its code is looked at, so of any number of concurrent attempts only the first `max`
 * beyond the scope's successes are evaluated. Successful connects are counted apart and give
 * their attempt back (failures = attempts − successes); a success read late only refuses more.
 */
import { keys } from './keys.js';
import type { Store } from './store/store.js';

export const LOCKOUT_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MAX_FAILURES = 5;

export class Lockout {
  constructor(
    private readonly store: Store,
    private readonly max = LOCKOUT_MAX_FAILURES,
    private readonly windowMs = LOCKOUT_WINDOW_MS,
  ) {}

  /**
   * Take one attempt in every scope. 0: go ahead; otherwise the minutes to wait (the attempt
   * must not be evaluated). Counts the attempt either way.
   */
  async attempt(scopes: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      scopes.map(async (scope) => {
        const [n, ok] = await Promise.all([this.store.incr(keys.connectAttempts(scope), this.windowMs), this.store.get(keys.connectSuccesses(scope))]);
        return { scope, failures: n - Number(ok ?? 0) };
      }),
    );
    let wait = 0;
    for (const c of counts) {
      if (c.failures > this.max) wait = Math.max(wait, Math.ceil((await this.store.ttl(keys.connectAttempts(c.scope))) / 60_000), 1);
    }
    return wait;
  }

  /** The attempt succeeded: it does not count against the budget. */
  async succeeded(scopes: readonly string[]): Promise<void> {
    await Promise.all(scopes.map((scope) => this.store.incr(keys.connectSuccesses(scope), this.windowMs)));
  }
}
