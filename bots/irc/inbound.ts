/** IRC channel message → `Inbound` (pure: the connection supplies the context). */
import type { InboundPost, RemoteMessageId } from '../../src/model.js';
import { escapeText } from '../../src/markup.js';
import { ircToCanonical, stripFormatting } from './format.js';
import { mentionToCommand } from '../../src/command.js';

export interface InboundContext {
  /** Server host: the room's workspace. */
  readonly workspace: string;
  /** The bot's current nick. */
  readonly ownNick: string;
  readonly commandWord: string;
  /** Channel name → room channel (lower-cased by the network's case mapping). */
  readonly channelKey: (name: string) => string;
  readonly isChannel: (target: string) => boolean;
  readonly sameNick: (a: string, b: string) => boolean;
  /** A new message id (IRC messages have none). */
  readonly newId: () => string;
}

export interface IrcMessage {
  readonly nick: string;
  readonly ident?: string;
  readonly hostname?: string;
  readonly target: string;
  readonly group?: string;
  readonly message: string;
  readonly account?: string | false;
  readonly from_server?: boolean;
}

/**
 * `Nick: open`, `Nick, sameroom open`, `@Nick open` (a message addressed to the bot) →
 * `-sameroom open`. Returns undefined when the message is not addressed to the bot.
 */
export function normalizeCommand(plain: string, ownNick: string, word: string): string | undefined {
  return mentionToCommand(plain, { names: [ownNick], style: 'at-or-colon' }, word);
}

export function messageToInbound(msg: IrcMessage, action: boolean, ctx: InboundContext): InboundPost | undefined {
  if (msg.from_server || !msg.nick) return undefined;
  if (!ctx.isChannel(msg.target)) return undefined; // private messages are not rooms
  if (msg.group) return undefined; // `PRIVMSG @#chan`: meant for the channel's operators only
  if (ctx.sameNick(msg.nick, ctx.ownNick)) return undefined; // our own echo (echo-message)
  const command = action ? undefined : normalizeCommand(stripFormatting(msg.message), ctx.ownNick, ctx.commandWord);
  const text = command !== undefined ? escapeText(command) : ircToCanonical(msg.message);
  if (!text.trim()) return undefined;
  const id = ctx.newId();
  return {
    kind: 'post',
    room: { platform: 'irc', workspace: ctx.workspace, channel: ctx.channelKey(msg.target) },
    eventId: `${ctx.workspace}/${id}`,
    id: id as RemoteMessageId,
    author: { id: msg.account || msg.nick, name: msg.nick },
    text,
    ...(action ? { action: true } : {}),
    raw: { nick: msg.nick, ident: msg.ident, hostname: msg.hostname, target: msg.target, message: msg.message },
  };
}
