/**
 * The one place that knows every platform: which bots to start for a configuration.
 * A platform starts when its credentials are set; the built-in web platform always runs.
 */
import { createDiscordBot, discordConfigFromEnv } from '../bots/discord/index.js';
import { createGroupMeBot } from '../bots/groupme/index.js';
import { groupmeConfigFromEnv } from '../bots/groupme/config.js';
import { createIrcBot } from '../bots/irc/index.js';
import { ircConfigFromEnv } from '../bots/irc/config.js';
import { createMatrixBot, matrixConfigFromEnv } from '../bots/matrix/index.js';
import { createMattermostBot, mattermostConfigFromEnv } from '../bots/mattermost/index.js';
import { createRocketChatBot, rocketchatConfigFromEnv } from '../bots/rocketchat/index.js';
import { createSlackBot } from '../bots/slack/index.js';
import { slackConfigFromEnv } from '../bots/slack/config.js';
import { createTeamsBot } from '../bots/teams/index.js';
import { teamsConfigFromEnv } from '../bots/teams/config.js';
import { createTelegramBot } from '../bots/telegram/index.js';
import { telegramConfigFromEnv } from '../bots/telegram/config.js';
import { createWebBot, webConfigFromEnv } from '../bots/web/index.js';
import { createXmppBot, xmppConfigFromEnv } from '../bots/xmpp/index.js';
import type { Bot } from './bot.js';
import type { Config } from './config.js';

export interface PlatformEntry {
  readonly platform: string;
  /** env keys that enable it, for the start-up hint */
  readonly keys: readonly string[];
  create(config: Config): Promise<Bot | undefined>;
}

/** A platform enabled by its env keys: `fromEnv` returns undefined when they are not set. */
function fromEnv<C>(platform: string, keys: readonly string[], read: (env: NodeJS.ProcessEnv) => C | undefined, make: (c: C) => Bot): PlatformEntry {
  return {
    platform,
    keys,
    create: async (config) => {
      const c = read(config.env);
      return c === undefined ? undefined : make(c);
    },
  };
}

export const PLATFORMS: readonly PlatformEntry[] = [
  // Built in, no credentials: always on.
  { platform: 'web', keys: [], create: async (config) => createWebBot(webConfigFromEnv(config)) },
  fromEnv('discord', ['DISCORD_TOKEN'], discordConfigFromEnv, createDiscordBot),
  fromEnv('telegram', ['TELEGRAM_TOKEN'], telegramConfigFromEnv, createTelegramBot),
  fromEnv('slack', ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN'], slackConfigFromEnv, createSlackBot),
  fromEnv('groupme', ['GROUPME_ACCESS_TOKEN'], groupmeConfigFromEnv, createGroupMeBot),
  fromEnv('teams', ['TEAMS_APP_ID', 'TEAMS_APP_PASSWORD'], teamsConfigFromEnv, createTeamsBot),
  fromEnv('irc', ['IRC_SERVER', 'IRC_NICK'], ircConfigFromEnv, createIrcBot),
  fromEnv('xmpp', ['XMPP_SERVICE', 'XMPP_USERNAME', 'XMPP_PASSWORD'], xmppConfigFromEnv, createXmppBot),
  fromEnv('matrix', ['MATRIX_HOMESERVER_URL', 'MATRIX_ACCESS_TOKEN'], matrixConfigFromEnv, createMatrixBot),
  fromEnv('mattermost', ['MATTERMOST_URL', 'MATTERMOST_TOKEN'], mattermostConfigFromEnv, createMattermostBot),
  fromEnv('rocketchat', ['ROCKETCHAT_URL', 'ROCKETCHAT_USER_ID', 'ROCKETCHAT_AUTH_TOKEN'], rocketchatConfigFromEnv, createRocketChatBot),
];

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
