/**
 * Opens a bot's connection while this process holds the platform's lease and closes it when
 * the lease goes elsewhere (checked every `pollMs`). Without leases (the embedded store: one
 * process) the connection is simply open. A failure to open at start is the caller's (the bot
 * fails to start); later failures are logged and tried again at the next check.
 */
import type { BotContext } from '../../src/bot.js';

export interface GateHooks {
  open(): Promise<void>;
  close(): Promise<void>;
}

export class LeaseGate {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private opened = false;
  private stopped = false;

  constructor(
    private readonly ctx: BotContext,
    private readonly hooks: GateHooks,
    private readonly pollMs = 1000,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  async start(): Promise<void> {
    await this.check(true);
    if (this.ctx.leaseHeld) {
      this.timer = setInterval(() => void this.check(false), this.pollMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    if (this.opened) {
      this.opened = false;
      await this.hooks.close();
    }
  }

  /** One check at a time: open or close as the lease says. */
  private check(rethrow: boolean): Promise<void> {
    const run = this.running.then(async () => {
      if (this.stopped) return;
      const want = !this.ctx.leaseHeld || this.ctx.leaseHeld();
      try {
        if (want && !this.opened) {
          await this.hooks.open();
          this.opened = true;
        } else if (!want && this.opened) {
          this.opened = false;
          await this.hooks.close();
        }
      } catch (err) {
        if (rethrow) throw err;
        this.ctx.log.error({ err }, 'connection change for the lease failed');
      }
    });
    this.running = run.catch(() => undefined);
    return run;
  }
}
