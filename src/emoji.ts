/**
 * Emoji names and characters, for reactions. Platforms name emoji differently: Slack, Mattermost
 * and Rocket.Chat by short name (`thumbsup`, `+1`, `:tada:`), Discord, Telegram, Matrix and the web
 * chat by the character itself. The core carries the character (`👍`); a custom emoji that has
 * none travels as `:name:`. Names come from GitHub's gemoji list, which Slack's names follow.
 */
import { emojiToName, nameToEmoji } from 'gemoji';

const VS16 = '\uFE0F';

/** Strip the variation selector and skin tone so `❤️` and `❤` are one emoji. */
export function baseEmoji(emoji: string): string {
  return emoji.replace(/\uFE0F|\u{1F3FB}|\u{1F3FC}|\u{1F3FD}|\u{1F3FE}|\u{1F3FF}/gu, '');
}

/**
 * The character for a short name (`thumbsup`, `:+1:`, `thumbsup::skin-tone-2`); a name without one
 * (a workspace's custom emoji) as `:name:`.
 */
export function emojiFromName(name: string): string {
  const bare = name.replace(/^:|:$/g, '').split('::')[0] ?? '';
  const found = nameToEmoji[bare] ?? nameToEmoji[bare.replace(/-/g, '_')];
  return found ?? `:${bare}:`;
}

/** The short name for a character or `:name:` (without colons); undefined when it has none. */
export function emojiName(emoji: string): string | undefined {
  const custom = /^:([^:\s]+):$/.exec(emoji);
  if (custom) return custom[1];
  return emojiToName[emoji] ?? emojiToName[baseEmoji(emoji)] ?? emojiToName[baseEmoji(emoji) + VS16];
}

/** Whether `text` is one emoji character (or `:name:`), as a reaction must be. */
export function isReactionEmoji(text: string): boolean {
  if (/^:[a-z0-9_+-]{1,64}:$/i.test(text)) return true;
  return text.length <= 16 && /^\p{Extended_Pictographic}/u.test(text) && emojiName(text) !== undefined;
}
