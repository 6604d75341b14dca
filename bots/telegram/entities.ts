/**
 * Format in: Telegram text + entities → canonical markup (src/markup.ts).
 *
 * Entity offsets and lengths count UTF-16 code units, which is what JS string indices count,
 * so slicing the text by them is exact even around emoji. Canonical inline marks cannot span
 * lines or start/end with a space, so each mark is applied per line, around the trimmed core.
 */
import type { MessageEntity } from 'node-telegram-bot-api';
import { escapeText, quoteLines } from '../../src/markup.js';

export function entitiesToCanonical(text: string, entities: readonly MessageEntity[] = []): string {
  const sorted = entities
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset + e.length <= text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  return convert(text, 0, text.length, sorted);
}

function convert(text: string, start: number, end: number, entities: readonly MessageEntity[]): string {
  let out = '';
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const e = entities[i] as MessageEntity;
    if (e.offset < pos) {
      i++; // overlaps one already converted (Telegram does not send these): keep its text only
      continue;
    }
    const eEnd = e.offset + e.length;
    const children: MessageEntity[] = [];
    let j = i + 1;
    for (; j < entities.length && (entities[j] as MessageEntity).offset < eEnd; j++) {
      const c = entities[j] as MessageEntity;
      if (c.offset + c.length <= eEnd) children.push(c);
    }
    out += escapeText(text.slice(pos, e.offset));
    const inner = (): string => convert(text, e.offset, eEnd, children);
    const piece = applyEntity(e, text.slice(e.offset, eEnd), inner, text[eEnd]);
    if (piece.block) {
      if (out && !out.endsWith('\n')) out += '\n';
      out += piece.text;
      if (eEnd < end && text[eEnd] !== '\n') out += '\n';
    } else {
      out += piece.text;
    }
    pos = eEnd;
    i = j;
  }
  return out + escapeText(text.slice(pos, end));
}

interface Piece {
  readonly text: string;
  /** Must stand on its own lines (pre, quote). */
  readonly block?: boolean;
}

function applyEntity(e: MessageEntity, raw: string, inner: () => string, next: string | undefined): Piece {
  switch (e.type) {
    case 'bold':
      return { text: wrap(inner(), '**', '**') };
    case 'italic':
      // `_x_` does not close before a word character (snake_case rule): use `*x*` there.
      return { text: /\w/.test(next ?? '') ? wrap(inner(), '*', '*') : wrap(inner(), '_', '_') };
    case 'strikethrough':
      return { text: wrap(inner(), '~~', '~~') };
    case 'code':
      if (raw.includes('\n')) return pre(raw);
      return { text: raw.includes('`') || !raw.trim() ? escapeText(raw) : `\`${raw}\`` };
    case 'pre':
      return pre(raw, e.language);
    case 'text_link':
      return { text: e.url ? link(inner(), e.url) : inner() };
    case 'url':
      return { text: link(escapeText(raw), /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `http://${raw}`) };
    case 'blockquote':
    case 'expandable_blockquote':
      return {
        text: quoteLines(inner()),
        block: true,
      };
    default:
      // underline, spoiler, mention, hashtag, bot_command, email, text_mention, custom_emoji, …
      return { text: inner() };
  }
}

/** Applies an inline mark per line, around the line's non-blank core. */
function wrap(inner: string, open: string, close: string): string {
  return inner
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(.*?)(\s*)$/s.exec(line);
      if (!m || !m[2]) return line;
      return `${m[1]}${open}${m[2]}${close}${m[3]}`;
    })
    .join('\n');
}

function link(label: string, url: string): string {
  const safeUrl = url.replace(/\s/g, encodeURIComponent).replace(/[\\()]/g, (c) => `\\${c}`);
  return wrap(label, '[', `](${safeUrl})`);
}

function pre(raw: string, language?: string): Piece {
  const body = raw.replace(/\n$/, '');
  // A line that is exactly ``` would end the block early: fall back to escaped text.
  if (body.split('\n').some((l) => l.trimEnd() === '```')) return { text: escapeText(raw), block: true };
  const lang = language && /^[\w+#.-]+$/.test(language) ? language : '';
  return { text: `\`\`\`${lang}\n${body}\n\`\`\``, block: true };
}
