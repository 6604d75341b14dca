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
import { permission } from './permissions.js';
import { portal } from './portal.js';
import { direction, format, log, ping } from './settings.js';
import { ArgValues, parseArgs, type CommandSpec } from './spec.js';

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
    const parsed = parseArgs(spec, args, word);
    const ctx = { ...base, values: 'values' in parsed ? parsed.values : new ArgValues() };
    const refused = (await permission(ctx, spec)) ?? ('refused' in parsed ? parsed.refused : null);
    if (refused) return refused;
    return await spec.run(ctx);
  } catch (err) {
    s.log.error({ err, verb }, 'command failed');
    return 'Something went wrong on the bridge; nothing was changed. Try again in a moment.';
  }
}
