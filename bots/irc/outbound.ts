/** Outbound: canonical post → IRC lines that fit, with the author's name defused and files as links. */
import { rejected } from '../../src/errors.js';
import type { RoomRef, StoredFile } from '../../src/model.js';
import { canonicalToIrc, defuseNick, stripControls } from './format.js';
import { splitIrcText, textBudget } from './split.js';

/** Canonical text (+ files) → IRC text, possibly multi-line. */
export function renderForIrc(text: string, authorName: string | undefined, files: readonly StoredFile[] = []): string {
  let out = canonicalToIrc(text);
  if (authorName) out = defuseNick(out, authorName);
  const links = files.map((f) => `${stripControls(f.name)}: ${stripControls(f.url)}`);
  return [out, ...links].filter((s) => s.trim()).join('\n');
}

// eslint-disable-next-line no-control-regex -- control characters are what must not get through
const CHANNEL = /^[#&+!][^\s,\x00-\x1f\x7f]{1,199}$/;

/** The channel to post to; refuses anything that could smuggle a second IRC command. */
export function channelOf(room: RoomRef): string {
  if (!CHANNEL.test(room.channel)) throw rejected(`not an IRC channel: ${JSON.stringify(room.channel)}`);
  return room.channel;
}

export function linesFor(text: string, target: string, who: { nick: string; username: string }, action = false): string[] {
  const budget = textBudget({ command: 'PRIVMSG', target, nick: who.nick, username: who.username, action });
  return splitIrcText(text, budget);
}
