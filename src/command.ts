/**
 * The core's side of commands. The command layer (commands/) is handed to the bridge as a
 * CommandRunner; the core never imports it. Bots turn what their platform calls a command (a
 * mention of the bot, a slash command) into `-<word> <verb> …` with the helpers here.
 */
import type { Bot } from './bot.js';
import type { InboundPost } from './model.js';
import type { Services } from './services.js';

export interface CommandRequest {
  readonly bot: Bot;
  readonly message: InboundPost;
  /** the message as plain text, trimmed */
  readonly plain: string;
  readonly receivedAt: number;
}

export interface CommandRunner {
  /** every verb and alias, for bots whose platform sends bare verbs (`@Bot open`) */
  readonly verbs: readonly string[];
  /** one line per command (`-word verb usage: meaning`), for `npm start -- --help` */
  readonly helpLines?: (word: string) => string[];
  /** Does this plain text start with the command (`-sameroom`, any case)? */
  isCommand(plain: string, word: string): boolean;
  /** Run it; resolves with the answer (canonical markup). A failed precondition is an answer, not a throw. */
  run(s: Services, req: CommandRequest): Promise<string>;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What follows the bot's name, as a command: a leading `sameroom` / `-sameroom` is dropped. */
export function argsToCommand(args: string, word: string): string {
  let rest = args.trim();
  const lower = rest.toLowerCase();
  const w = word.toLowerCase();
  if (lower === w || lower === `-${w}`) rest = '';
  else if (lower.startsWith(`${w} `) || lower.startsWith(`-${w} `)) rest = rest.slice(rest.indexOf(' ') + 1).trim();
  return `-${word}${rest ? ` ${rest}` : ''}`;
}

export interface MentionForms {
  /** the bot's names (nick, username, display name) */
  readonly names: readonly string[];
  /**
   * `at`: only `@Name …` counts (Mattermost, Rocket.Chat); `at-or-colon`: `@Name …` or
   * `Name: …` / `Name, …` (IRC, XMPP); `bare`: also `Name …`, for a message the platform
   * already says mentions the bot (Matrix `m.mentions`, a pill).
   */
  readonly style: 'at' | 'at-or-colon' | 'bare';
}

/**
 * A message that starts by addressing the bot (`@Bot open`, `Bot: sameroom open`), as
 * `-sameroom open`; undefined when it does not address the bot.
 */
export function mentionToCommand(text: string, forms: MentionForms, word: string): string | undefined {
  const names = forms.names.filter(Boolean).map(escapeRe).join('|');
  if (!names) return undefined;
  const head =
    forms.style === 'at' ? `@(?:${names})(?![\\w.-])[:,]?` : forms.style === 'bare' ? `@?(?:${names})[:,]?` : `(?:@(?:${names})[:,]?|(?:${names})[:,])`;
  const m = new RegExp(`^\\s*${head}(?:\\s+([\\s\\S]*))?$`, 'i').exec(text);
  if (!m) return undefined;
  return argsToCommand(m[1] ?? '', word);
}

/**
 * A message to the bot where the platform already stripped its mention (Teams): `open …`,
 * `sameroom open …` and `-sameroom …` are commands; an empty message asks for help.
 */
export function verbToCommand(text: string, word: string, verbs: readonly string[], hasAttachments = false): string | undefined {
  const t = text.trim();
  const w = word.toLowerCase();
  if (!t) return hasAttachments ? undefined : `-${word} help`;
  if (t.toLowerCase().startsWith(`-${w}`)) return t;
  const [first = '', ...rest] = t.split(/\s+/);
  if (first.toLowerCase() === w) return `-${word}${rest.length ? ` ${rest.join(' ')}` : ''}`;
  if (verbs.includes(first.toLowerCase())) return `-${word} ${t}`;
  return undefined;
}

/**
 * A command written with the platform's sigil before the command word (`/sameroom …` on
 * Telegram, `!sameroom …` on Matrix): the length of that head, to take the arguments after it.
 * With `self` (Telegram's `/sameroom@ThisBot`): null when the command names another bot.
 * Undefined when the text is no such command.
 */
export function sigilCommand(text: string, sigil: string, word: string, self?: string): { head: number } | null | undefined {
  const at = self === undefined ? '' : '(?:@(\\w+))?';
  const m = new RegExp(`^${escapeRe(sigil)}${escapeRe(word)}${at}(?=\\s|$)`, 'i').exec(text);
  if (!m) return undefined;
  if (m[1] && m[1].toLowerCase() !== self?.toLowerCase()) return null;
  return { head: m[0].length };
}
