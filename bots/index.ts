/**
 * Every platform the bridge knows, handed to the core at start. Adding a platform: its folder
 * under bots/ with a descriptor.ts, and one line here (see docs/extending.md).
 */
import type { PlatformDescriptor } from '../src/platform.js';
import { discord } from './discord/descriptor.js';
import { groupme } from './groupme/descriptor.js';
import { irc } from './irc/descriptor.js';
import { matrix } from './matrix/descriptor.js';
import { mattermost } from './mattermost/descriptor.js';
import { rocketchat } from './rocketchat/descriptor.js';
import { slack } from './slack/descriptor.js';
import { teams } from './teams/descriptor.js';
import { telegram } from './telegram/descriptor.js';
import { web } from './web/descriptor.js';
import { xmpp } from './xmpp/descriptor.js';

export const PLATFORMS: readonly PlatformDescriptor[] = [web, discord, telegram, slack, groupme, teams, irc, xmpp, matrix, mattermost, rocketchat];
