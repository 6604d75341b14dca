import type { CommandSpec } from './spec.js';

/** What a platform cannot do, said in help so nobody waits for it. */
const PLATFORM_NOTES: Record<string, string> = {
  telegram: 'Telegram does not tell bots about deleted messages, so deletes made in Telegram are not bridged.',
  groupme: 'GroupMe has no edits or deletes for bots: edits and deletes are not bridged to or from GroupMe.',
  irc: 'IRC has no edits or deletes: edits arrive as new lines, deletes are not shown.',
};

/** Help generated from the specs (filled in by index.ts, which knows them all). */
export function makeHelp(all: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    usage: '[verb]',
    help: 'this text',
    async run({ args, word, room }) {
      const specs = all();
      const one = args[0] ? specs.find((c) => c.name === args[0]?.toLowerCase()) : undefined;
      if (args[0] && !one) return `Unknown command "${args[0]}". \`-${word} help\` lists them.`;
      const show = one ? [one] : specs;
      const lines = show.map((c) => `\`-${word} ${c.name}${c.usage ? ` ${c.usage}` : ''}\`: ${c.help}`);
      if (!one) {
        lines.unshift('Link this room with rooms on other chat services: every message, edit, delete, reply and file appears in all of them.');
        lines.push('A message starting with ^^^ stays in this room.');
        const note = PLATFORM_NOTES[room.platform];
        if (note) lines.push(note);
      }
      return lines.join('\n');
    },
  };
}
