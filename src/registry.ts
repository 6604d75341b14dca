/**
 * The one place that knows every platform: which bots to start for a configuration.
 * A platform starts when its credentials are set; the built-in web platform always runs.
 */
import type { Bot } from './bot.js';
import type { Config } from './config.js';

export interface PlatformEntry {
  readonly platform: string;
  /** env keys that enable it, for the start-up hint */
  readonly keys: readonly string[];
  create(config: Config): Promise<Bot | undefined>;
}

export const PLATFORMS: readonly PlatformEntry[] = [];

export async function createBots(config: Config): Promise<{ bots: Bot[]; missing: PlatformEntry[] }> {
  const bots: Bot[] = [];
  const missing: PlatformEntry[] = [];
  for (const entry of PLATFORMS) {
    const bot = await entry.create(config);
    if (bot) bots.push(bot);
    else missing.push(entry);
  }
  return { bots, missing };
}
