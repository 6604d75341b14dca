/**
 * The command list and runner, handed to the core as its CommandRunner. Adding a command: its
 * file here and one line in COMMANDS (see docs/extending.md).
 */
import type { CommandRequest, CommandRunner } from '../src/command.js';
import { roomKey } from '../src/model.js';
import type { Services } from '../src/services.js';
import { close, disable } from './close.js';
import { connect } from './connect.js';
import { helpLine, makeHelp } from './help.js';
import { list } from './list.js';
import { map } from './map.js';
import { open } from './open.js';
import { parseCommand, isCommand } from './parse.js';
import { pause, resume } from './pause.js';
import { portal } from './portal.js';
import { direction, format, log, ping } from './settings.js';
import { parseArgs, unmet, type CommandSpec } from './spec.js';

export { isCommand };

export const COMMANDS: readonly CommandSpec[] = [open, connect, portal, map, list, close, disable, pause, resume, ping, format, direction, log];

/** The runner over a list of specs (help included, generated from them). */
export function createCommandRunner(specs: readonly CommandSpec[] = COMMANDS): CommandRunner {
  const help = makeHelp(() => [...specs, help]);
  const all = [...specs, help];
  const byName = new Map<string, CommandSpec>();
  for (const c of all) for (const n of [c.name, ...(c.aliases ?? [])]) byName.set(n, c);
  return {
    verbs: [...byName.keys()],
    helpLines: (word) => all.map((c) => helpLine(c, word)),
    isCommand,
    run: (s, req) => runCommand(s, byName, req),
  };
}

/** Run the command in `req.plain`; the answer goes back to the core, which posts it. */
async function runCommand(s: Services, byName: ReadonlyMap<string, CommandSpec>, req: CommandRequest): Promise<string> {
  const { message, bot, plain, receivedAt } = req;
  const word = s.config.commandWord;
  const { verb, args } = parseCommand(plain, word);
  const spec = byName.get(verb || 'help');
  if (!spec) return `Unknown command "${verb}". \`-${word} help\` lists them.`;
  const actor = `${message.room.platform}:${message.author.id} (${message.author.name})`;
  const base = { s, bot, room: message.room, roomKey: roomKey(message.room), author: message.author, actor, args, message, receivedAt, word };
  try {
    const missing = unmet(spec, base);
    if (missing) return missing;
    const parsed = parseArgs(spec, args, word);
    if ('refused' in parsed) return parsed.refused;
    return await spec.run({ ...base, values: parsed.values });
  } catch (err) {
    s.log.error({ err, verb }, 'command failed');
    return 'Something went wrong on the bridge; nothing was changed. Try again in a moment.';
  }
}
