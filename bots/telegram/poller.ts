/**
 * Long polling with the offset kept in the bot's state (key `offset`).
 *
 * Each getUpdates asks from the stored offset; the offset moves past an update only after the
 * update was handled (ctx.ingest resolved, see lifecycle). If handling fails, the pump stops and
 * starts again from the stored offset, so the failed update is fetched again: a restart or a
 * failure neither loses nor repeats updates.
 */
import type { Bot, Update } from 'node-telegram-bot-api';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import type { ConnectionState } from '../../src/bot.js';
import { retryAfterOf } from '../../src/errors.js';
import { sleep } from '../../src/sleep.js';

export const OFFSET_KEY = 'offset';
export const ALLOWED_UPDATES = ['message', 'edited_message', 'channel_post', 'edited_channel_post'];

export interface PollerOptions {
  readonly client: Bot;
  readonly state: BotState;
  readonly log: Logger;
  readonly timeoutSeconds: number;
  readonly retryMs: number;
  readonly leaseCheckMs: number;
  readonly leaseHeld?: () => boolean;
  /** Turns a client error into the error to log and to wait on (DeliveryError with retryAfterMs). */
  readonly mapError: (err: unknown) => unknown;
  /** Removes the token from what is logged. */
  readonly redact: (s: string) => string;
}

export class Poller {
  /** Up after a getUpdates answered, down with the reason after one failed (for /readyz). */
  state: ConnectionState = { up: false, reason: 'connecting' };
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PollerOptions) {}

  start(): void {
    this.done = this.run();
  }

  /** Marks an update handled: the next getUpdates starts after it. */
  async confirm(update: Update): Promise<void> {
    await this.opts.state.set(OFFSET_KEY, String(update.update_id + 1));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.opts.client.stop();
    await this.done;
  }

  private async run(): Promise<void> {
    const { client, log } = this.opts;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        await client.startPolling(this.updates());
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const mapped = this.opts.mapError(err);
        failures++;
        const wait = retryAfterOf(mapped) ?? Math.min(this.opts.retryMs * 2 ** (failures - 1), 30_000);
        this.state = { up: false, reason: `getUpdates failing: ${this.opts.redact(mapped instanceof Error ? mapped.message : String(mapped))}` };
        log.warn({ err: this.opts.redact(String(mapped)), waitMs: wait }, 'telegram polling failed; polling again');
        await sleep(wait, this.abort.signal);
      }
    }
  }

  private async *updates(): AsyncGenerator<Update> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.opts.leaseHeld && !this.opts.leaseHeld()) {
        await sleep(this.opts.leaseCheckMs, signal);
        continue;
      }
      const stored = Number(await this.opts.state.get(OFFSET_KEY));
      const batch = await this.opts.client.api.getUpdates(
        {
          ...(stored > 0 ? { offset: stored } : {}),
          timeout: this.opts.timeoutSeconds,
          allowed_updates: ALLOWED_UPDATES,
        },
        signal,
      );
      this.state = { up: true };
      yield* batch;
    }
  }
}
