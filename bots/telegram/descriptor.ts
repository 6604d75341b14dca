/** Telegram, as the core sees it. The bot (and its SDK) load only when Telegram is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { TELEGRAM_ENV, telegramConfig } from './config.js';

export const telegram: PlatformDescriptor = {
  name: 'telegram',
  displayName: 'Telegram',
  // https://core.telegram.org/bots/api: no update type reports a deleted message.
  cannot: ['report-deletes'],
  ...TELEGRAM_ENV,
  async create(env) {
    const { createTelegramBot } = await import('./index.js');
    return createTelegramBot(telegramConfig(env));
  },
};
