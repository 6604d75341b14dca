import { cannotNote } from '../src/platform.js';
import type { CommandSpec } from './spec.js';

/** One command's help line: `` `-word verb usage`: meaning (also: aliases) ``. */
export function helpLine(c: CommandSpec, word: string): string {
  return `\`-${word} ${c.name}${c.usage ? ` ${c.usage}` : ''}\`: ${c.help}${c.aliases?.length ? ` (also: ${c.aliases.join(', ')})` : ''}`;
}

/** Help generated from the specs (filled in by index.ts, which knows them all). */
export function makeHelp(all: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    usage: '[verb]',
    help: 'this text',
    async run({ s, args, word, room }) {
      const specs = all();
      const asked = args[0]?.toLowerCase();
      const one = asked ? specs.find((c) => c.name === asked || c.aliases?.includes(asked)) : undefined;
      if (args[0] && !one) return `Unknown command "${args[0]}". \`-${word} help\` lists them.`;
      const show = one ? [one] : specs;
      const lines = show.map((c) => helpLine(c, word));
      if (!one) {
        lines.unshift('Link this room with rooms on other chat services: every message, edit, delete, reply and file appears in all of them.');
        lines.push('A message starting with ^^^ stays in this room.');
        // What this platform cannot do, from its descriptor, so nobody waits for it.
        const note = cannotNote(s.platform(room.platform));
        if (note) lines.push(note);
      }
      return lines.join('\n');
    },
  };
}
