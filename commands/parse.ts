/** Parsing `-sameroom <verb> [args]` with yargs-parser. */
import parser from 'yargs-parser';

export interface ParsedCommand {
  readonly verb: string;
  readonly args: string[];
}

/** Does this plain text start with the command (`-sameroom`, any case)? */
export function isCommand(plain: string, word: string): boolean {
  const lower = plain.trimStart().toLowerCase();
  const head = `-${word}`;
  return lower.startsWith(head) && (lower.length === head.length || /\s/.test(lower[head.length] ?? ''));
}

export function parseCommand(plain: string, word: string): ParsedCommand {
  const rest = plain.trimStart().slice(word.length + 1).trim();
  const argv = parser(rest, { configuration: { 'parse-numbers': false, 'parse-positional-numbers': false, 'camel-case-expansion': false } });
  const words = argv._.map(String);
  const [verb = '', ...args] = words;
  return { verb: verb.toLowerCase(), args };
}
