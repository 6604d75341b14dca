/**
 * The command registry and runner. Commands answer in the room they were given in, through
 * the bot's own voice (`say`); neither the command nor the answer is ever relayed.
 */
import type { Bot } from '../src/bot.js';
import type { InboundPost } from '../src/model.js';
import { roomKey } from '../src/model.js';
import type { Services } from '../src/services.js';
import { close, disable } from './close.js';
import { connect } from './connect.js';
import { makeHelp } from './help.js';
import { list } from './list.js';
import { map } from './map.js';
import { open } from './open.js';
import { parseCommand, isCommand } from './parse.js';
import { permission } from './permissions.js';
import { portal } from './portal.js';
import { direction, format, log, ping } from './settings.js';
import type { CommandSpec } from './spec.js';

export { isCommand };

export const COMMANDS: readonly CommandSpec[] = [open, connect, portal, map, list, close, disable, ping, format, direction, log];
const help = makeHelp(() => [...COMMANDS, help]);
const BY_NAME = new Map([...COMMANDS, help].map((c) => [c.name, c]));

/** Run the command in `plain` and post the answer. Returns the answer text. */
export async function runCommand(s: Services, bot: Bot, message: InboundPost, plain: string, receivedAt: number): Promise<string> {
  const word = s.config.commandWord;
  const { verb, args } = parseCommand(plain, word);
  const spec = BY_NAME.get(verb || 'help');
  const actor = `${message.room.platform}:${message.author.id} (${message.author.name})`;
  let answer: string;
  if (!spec) answer = `Unknown command "${verb}". \`-${word} help\` lists them.`;
  else {
    try {
      const ctx = { s, bot, room: message.room, roomKey: roomKey(message.room), author: message.author, actor, args, message, receivedAt, word };
      answer = (await permission(ctx, spec)) ?? (await spec.run(ctx));
    } catch (err) {
      s.log.error({ err, verb }, 'command failed');
      answer = 'Something went wrong on the bridge; nothing was changed. Try again in a moment.';
    }
  }
  await bot.say(message.room, answer, message.id);
  return answer;
}
