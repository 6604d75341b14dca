/**
 * Shared test wiring: the fake Bot API, a harness context, and the real bot pointed at the fake.
 */
import { createTelegramBot, type TelegramBot, type TelegramConfig } from '../../bots/telegram/index.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../fakes/telegram/index.js';

export interface Rig {
  readonly fake: FakeTelegram;
  readonly harness: Harness;
  readonly bot: TelegramBot;
  /** Another bot instance on the same fake (same token), for restart tests. */
  newBot(overrides?: Partial<TelegramConfig>): TelegramBot;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly fake?: FakeTelegramOptions;
  readonly config?: Partial<TelegramConfig>;
  readonly publicUrl?: string;
  /** Start the bot right away (default true). */
  readonly start?: boolean;
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const fake = await startFakeTelegram(opts.fake);
  const harness = createHarness(opts.publicUrl ? { publicUrl: opts.publicUrl } : {});
  const bots: TelegramBot[] = [];
  const newBot = (overrides: Partial<TelegramConfig> = {}): TelegramBot => {
    const bot = createTelegramBot({
      token: fake.token,
      apiUrl: fake.apiRoot,
      pollTimeoutSeconds: 5,
      pollRetryMs: 20,
      leaseCheckMs: 20,
      ...opts.config,
      ...overrides,
    });
    bots.push(bot);
    return bot;
  };
  const bot = newBot();
  if (opts.start !== false) await bot.start(harness.ctx);
  return {
    fake,
    harness,
    bot,
    newBot,
    close: async () => {
      for (const b of bots) await b.stop();
      await harness.close();
      await fake.close();
    },
  };
}
