/**
 * GroupMe text ↔ canonical markup. GroupMe has no markup at all: its text is plain, and
 * @mentions are plain `@Name` text plus a `mentions` attachment that points at it (loci).
 * Pure functions, table-tested.
 */
import { escapeText, plainRenderer, render, type Renderer } from '../../src/markup.js';

/** One mention: where it sits in the text (UTF-16 offset, length) and whom it names. */
export interface Mention {
  readonly userId: string;
  readonly start: number;
  readonly length: number;
}

/**
 * GroupMe text → canonical markup. Everything is escaped as plain text; a mentioned span stays
 * readable `@Name` text (an `@` is added when the client did not type one).
 */
export function toCanonical(text: string, mentions: readonly Mention[] = []): string {
  const spans = [...mentions]
    .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.length) && m.start >= 0 && m.length > 0)
    .filter((m) => m.start + m.length <= text.length)
    .sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const m of spans) {
    if (m.start < at) continue; // overlapping loci: keep the first
    out += escapeText(text.slice(at, m.start));
    const name = text.slice(m.start, m.start + m.length);
    out += escapeText(name.startsWith('@') ? name : `@${name}`);
    at = m.start + m.length;
  }
  return out + escapeText(text.slice(at));
}

/**
 * A leading mention of the bot by name (`@Sameroom open`) → `-sameroom open`. Anything else,
 * `-sameroom …` typed by a user included, is returned unchanged (`undefined`).
 */
export function commandFromMention(text: string, botName: string, commandWord: string): string | undefined {
  const trimmed = text.trimStart();
  const mark = `@${botName}`;
  if (!trimmed.toLowerCase().startsWith(mark.toLowerCase())) return undefined;
  const rest = trimmed.slice(mark.length);
  if (rest !== '' && !/^[\s:,]/.test(rest)) return undefined;
  const args = rest.replace(/^[\s:,]+/, '').trim();
  return args ? `-${commandWord} ${escapeText(args)}` : `-${commandWord}`;
}

/** Canonical markup → GroupMe text: plain, links written as `label (url)`. */
export const groupmeRenderer: Renderer = plainRenderer;

export function fromCanonical(text: string): string {
  return render(text, groupmeRenderer);
}

/** A `location` attachment as a canonical link line. */
export function locationLine(name: string | undefined, lat: string, lng: string): string {
  const url = `https://www.google.com/maps?q=${encodeURIComponent(`${lat},${lng}`)}`;
  return `[${escapeText(name || 'Location')}](${url})`;
}

const FORMATS: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  bmp: 'image/bmp',
};

/**
 * Name and type of a GroupMe-hosted image from its URL: image service URLs look like
 * `https://i.groupme.com/{w}x{h}.{format}.{id}`.
 */
export function imageMeta(url: string): { name: string; mime: string } {
  let last = '';
  try {
    last = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    last = '';
  }
  const m = /^\d+x\d+\.(\w+)\.(\w+)/.exec(last) ?? /\.(\w+)$/.exec(last);
  const format = (m?.[1] ?? '').toLowerCase();
  const mime = FORMATS[format] ?? 'image/jpeg';
  const ext = mime === 'image/jpeg' ? 'jpg' : mime.slice('image/'.length);
  const id = m && m.length > 2 ? m[2] : undefined;
  return { name: `${id ?? 'image'}.${ext}`, mime };
}
