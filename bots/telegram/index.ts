/**
 * Telegram platform (node-telegram-bot-api v2). See README.md for the setup.
 */
import type { AdminAware, DeletingBot, EditingBot, NamingBot, PrivateReplier, ReportingBot } from '../../src/bot.js';
import type { TelegramConfig } from './config.js';
import { TelegramBot } from './lifecycle.js';

export { telegramConfigFromEnv, webhookPath, type TelegramConfig } from './config.js';
export { TelegramBot } from './lifecycle.js';

export function createTelegramBot(config: TelegramConfig): TelegramBot {
  return new TelegramBot(config) satisfies EditingBot & DeletingBot & NamingBot & ReportingBot & AdminAware & PrivateReplier;
}
