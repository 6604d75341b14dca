/**
 * `POST /bots/post` answers 202 with no body, so GroupMe never tells a poster the id of the
 * message it made. But GroupMe sends every message of the group to the bot's callback, its own
 * posts included (sender_type `bot`). The bot registers what it is about to post, and the echo
 * that arrives with the same group and text gives the real message id, so replies made in
 * GroupMe to a bridged copy can be followed back. When no echo comes in time (callback URL not
 * reachable, echo lost), the post gets a generated `guid:` id instead.
 */
import { randomUUID } from 'node:crypto';
import { clearTimeout, setTimeout } from 'node:timers';

interface Waiter {
  readonly groupId: string;
  readonly text: string;
  resolve(id: string | undefined): void;
}

/** Ids made up for posts whose echo never came: not GroupMe ids, never sent back to GroupMe. */
export const SYNTHETIC_PREFIX = 'guid:';

export const syntheticId = (): string => `${SYNTHETIC_PREFIX}${randomUUID()}`;

export const isSynthetic = (id: string): boolean => id.startsWith(SYNTHETIC_PREFIX);

const normalize = (text: string): string => text.trim();

export class EchoMatcher {
  private readonly waiters: Waiter[] = [];

  /**
   * Register an expected echo before posting. `wait(ms)` resolves with the echoed message id,
   * or `undefined` after `ms`; `cancel()` drops the registration (the post failed).
   */
  expect(groupId: string, text: string): { wait(ms: number): Promise<string | undefined>; cancel(): void } {
    let settle: (id: string | undefined) => void = () => {};
    const result = new Promise<string | undefined>((resolve) => {
      settle = resolve;
    });
    const waiter: Waiter = { groupId, text: normalize(text), resolve: (id) => settle(id) };
    this.waiters.push(waiter);
    const drop = (): void => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    };
    return {
      wait: async (ms) => {
        if (ms <= 0) {
          drop();
          return undefined;
        }
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), ms).unref();
        });
        try {
          return await Promise.race([result, timeout]);
        } finally {
          clearTimeout(timer);
          drop();
        }
      },
      cancel: () => {
        drop();
        settle(undefined);
      },
    };
  }

  /** A bot-sent message reached the callback: hand its id to the oldest matching waiter. */
  echo(groupId: string, text: string, id: string): boolean {
    const t = normalize(text);
    const i = this.waiters.findIndex((w) => w.groupId === groupId && w.text === t);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    w?.resolve(id);
    return true;
  }

  /** Release every waiter (stop). */
  clear(): void {
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
  }
}
