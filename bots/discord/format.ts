/**
 * Discord markdown ↔ canonical markup, plus the small text rules of Discord copies (webhook
 * usernames, nonces). Pure functions; see test/discord/format.test.ts for the tables.
 */
import { createHash } from 'node:crypto';
import { escapeText, quoteLines, render, type Renderer } from '../../src/markup.js';

/** Looks up the readable names of mentioned users, roles and channels (undefined: unknown). */
export interface MentionNames {
  user(id: string): string | undefined;
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
}

const CANONICAL_SPECIAL = new Set(['\\', '*', '_', '~', '`', '[', ']', '(', ')', '>']);

/** Discord message content → canonical markup. Mentions become readable `@name` / `#name`. */
export function discordToCanonical(content: string, names: MentionNames): string {
  const out: string[] = [];
  const fence = /```(?:([\w+#.-]+)\n)?\n?([\s\S]*?)\n?```/g;
  let last = 0;
  for (const m of content.matchAll(fence)) {
    const at = m.index;
    out.push(convertBlock(content.slice(last, at), names));
    const lang = m[1] ?? '';
    const before = out.join('');
    const lead = before === '' || before.endsWith('\n') ? '' : '\n';
    out.push(`${lead}\`\`\`${lang}\n${m[2] ?? ''}\n\`\`\``);
    last = at + m[0].length;
    if (last < content.length && content[last] !== '\n') out.push('\n');
  }
  out.push(convertBlock(content.slice(last), names));
  return out.join('');
}

/** Lines outside code fences: quotes (`> `, `>>> `), headings and subtext, then inline marks. */
function convertBlock(text: string, names: MentionNames): string {
  let quoteRest = false;
  return text
    .split('\n')
    .map((line) => {
      let quoted = quoteRest;
      let body = line;
      const multi = /^>>> ?(.*)$/.exec(body);
      if (!quoted && multi) {
        quoteRest = true;
        quoted = true;
        body = multi[1] ?? '';
      } else if (!quoted && /^> |^>$/.test(body)) {
        quoted = true;
        body = body.slice(2);
      }
      const heading = /^#{1,3} (.+)$/.exec(body);
      const sub = /^-# (.+)$/.exec(body);
      let converted: string;
      if (heading) converted = `**${inline(heading[1] ?? '', names)}**`;
      else if (sub) converted = inline(sub[1] ?? '', names);
      else converted = inline(body, names);
      if (!quoted && converted.startsWith('>')) converted = `\\${converted}`;
      return quoted ? `> ${converted}` : converted;
    })
    .join('\n');
}

const INLINE_TOKENS: ReadonlyArray<[RegExp, (m: RegExpExecArray, names: MentionNames) => string]> = [
  [/^<@!?(\d+)>/, (m, n) => escapeText(`@${n.user(m[1] ?? '') ?? 'unknown-user'}`)],
  [/^<@&(\d+)>/, (m, n) => escapeText(`@${n.role(m[1] ?? '') ?? 'unknown-role'}`)],
  [/^<#(\d+)>/, (m, n) => escapeText(`#${n.channel(m[1] ?? '') ?? 'unknown-channel'}`)],
  [/^<a?:(\w+):\d+>/, (m) => escapeText(`:${m[1] ?? ''}:`)],
  [/^<t:(-?\d+)(?::[tTdDfFR])?>/, (m) => escapeText(formatTimestamp(Number(m[1])))],
  [/^<\/([\w -]+):\d+>/, (m) => escapeText(`/${m[1] ?? ''}`)],
  [/^<(https?:\/\/[^\s>]+)>/, (m) => escapeText(m[1] ?? '')],
  [
    /^\[((?:\\.|[^\]\\])+)\]\(<?(https?:\/\/[^\s)>]+)>?\)/,
    (m, n) => `[${inline(m[1] ?? '', n)}](${(m[2] ?? '').replace(/[()\\]/g, (c) => `\\${c}`)})`,
  ],
  // Underline has no canonical form: keep the words.
  [/^__(?! )((?:\\.|[^_\\]|_(?!_))+?)__/, (m, n) => inline(m[1] ?? '', n)],
];

function inline(s: string, names: MentionNames): string {
  let out = '';
  let i = 0;
  outer: while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '\\') {
      const next = s[i + 1];
      if (next !== undefined && /[^0-9A-Za-z\s]/.test(next)) {
        out += CANONICAL_SPECIAL.has(next) ? `\\${next}` : next;
        i += 2;
      } else {
        out += '\\\\';
        i += 1;
      }
      continue;
    }
    if (c === '`') {
      const m = /^(``?)(?!`)([\s\S]+?)\1(?!`)/.exec(s.slice(i));
      if (m) {
        const code = (m[2] ?? '').replace(/^ (.*) $/s, '$1').replace(/`/g, 'ˋ');
        out += `\`${code}\``;
        i += m[0].length;
        continue;
      }
      out += '\\`';
      i += 1;
      continue;
    }
    if (c === '<' || c === '[' || c === '_') {
      for (const [re, fn] of INLINE_TOKENS) {
        const m = re.exec(s.slice(i));
        if (m) {
          out += fn(m, names);
          i += m[0].length;
          continue outer;
        }
      }
    }
    // Brackets and parentheses only mean something in canonical links: keep them literal.
    out += c === '[' || c === ']' || c === '(' || c === ')' ? `\\${c}` : c;
    i += 1;
  }
  return out;
}

function formatTimestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const URL_RE = /https?:\/\/[^\s<]+[^<.,:;"')\]\s]/g;

/** Escape plain text for Discord so nothing in it becomes markup, a mention or a heading. URLs stay intact. */
export function escapeDiscord(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(URL_RE)) {
    out += escapePart(s.slice(last, m.index));
    out += m[0];
    last = m.index + m[0].length;
  }
  out += escapePart(s.slice(last));
  return out.replace(/(^|\n)(#{1,3} |-# )/g, '$1\\$2');
}

function escapePart(s: string): string {
  return s.replace(/[\\*_~`|[\]<>]/g, (c) => `\\${c}`);
}

export const discordRenderer: Renderer = {
  text: escapeDiscord,
  bold: (s) => `**${s}**`,
  italic: (s) => `*${s}*`,
  strike: (s) => `~~${s}~~`,
  code: (s) => `\`${s.replace(/`/g, 'ˋ')}\``,
  pre: (s, lang) => `\`\`\`${lang ?? ''}\n${s.replace(/```/g, 'ˋˋˋ')}\n\`\`\``,
  link: (url, inner) => {
    if (!/^https?:\/\//i.test(url)) return inner ? `${inner} (${escapeDiscord(url)})` : escapeDiscord(url);
    const safe = url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    return inner === '' || inner === escapeDiscord(url) || inner === url ? safe : `[${inner}](${safe})`;
  },
  quote: quoteLines,
};

/** Canonical markup → Discord markdown. */
export function canonicalToDiscord(text: string): string {
  return render(text, discordRenderer);
}

/**
 * A webhook username Discord accepts: 1–80 characters, whitespace collapsed, and never containing
 * "discord" or "clyde" (a look-alike Cyrillic letter is swapped in, as other bridges do).
 */
export function sanitizeUsername(name: string): string {
  let n = name.replace(/\s+/g, ' ').trim();
  n = n.replace(/discord/gi, (w) => w.replace(/o/, '\u043e').replace(/O/, '\u041e'));
  n = n.replace(/clyde/gi, (w) => w.replace(/e/, '\u0435').replace(/E/, '\u0415'));
  const chars = [...n];
  if (chars.length > 80) n = `${chars.slice(0, 79).join('').trimEnd()}…`;
  return n || 'Someone';
}

/** A Discord `nonce` (≤ 25 characters) derived from a delivery's idempotency key and part number. */
export function nonceFor(idempotencyKey: string, part: number): string {
  return createHash('sha256').update(`${idempotencyKey}#${part}`).digest('base64url').slice(0, 25);
}

/** Link to a message in the Discord app (guild id, or `@me` for DMs). */
export function messageLink(guildId: string | undefined, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? '@me'}/${channelId}/${messageId}`;
}
