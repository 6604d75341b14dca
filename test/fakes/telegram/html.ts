/**
 * Telegram's parse_mode HTML, as the Bot API reads it: the supported tags become entities
 * (UTF-16 offsets), `&lt; &gt; &amp; &quot;` and numeric references are decoded, and anything
 * else that looks like a tag is refused the way Telegram refuses it ("can't parse entities"),
 * so an escaping bug in a bot fails its tests.
 */
import type { MessageEntity } from 'node-telegram-bot-api';

export class EntityParseError extends Error {}

export interface ParsedText {
  readonly text: string;
  readonly entities: MessageEntity[];
}

const TAGS: Readonly<Record<string, string>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface Open {
  readonly tag: string;
  readonly type: string;
  readonly offset: number;
  readonly attrs: Record<string, string>;
}

export function parseHtml(html: string): ParsedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  const at = (i: number): string => `at byte offset ${Buffer.byteLength(html.slice(0, i))}`;
  let i = 0;
  while (i < html.length) {
    const c = html[i] as string;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new EntityParseError(`Unclosed start tag ${at(i)}`);
      const inner = html.slice(i + 1, end);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const top = stack.pop();
        if (!top) throw new EntityParseError(`Unexpected end tag ${at(i)}`);
        if (top.tag !== name) throw new EntityParseError(`Can't find end tag corresponding to start tag "${top.tag}"`);
        close(top, text, entities, stack);
      } else {
        stack.push(open(inner, text.length, stack, at(i)));
      }
      i = end + 1;
      continue;
    }
    if (c === '&') {
      const m = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(html.slice(i, i + 16));
      const decoded = m ? decode(m[1] as string) : undefined;
      if (m && decoded !== undefined) {
        text += decoded;
        i += m[0].length;
        continue;
      }
    }
    text += c;
    i++;
  }
  const open_ = stack.pop();
  if (open_) throw new EntityParseError(`Can't find end tag corresponding to start tag "${open_.tag}"`);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset || b.length - a.length) };
}

function open(inner: string, offset: number, stack: readonly Open[], where: string): Open {
  const m = /^([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*$/i.exec(inner);
  const name = (m?.[1] ?? inner.split(/\s/)[0] ?? '').toLowerCase();
  const type = TAGS[name];
  if (!m || !type) throw new EntityParseError(`Unsupported start tag "${name}" ${where}`);
  const attrs: Record<string, string> = {};
  for (const a of (m[2] ?? '').matchAll(/([a-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/gi)) {
    attrs[(a[1] as string).toLowerCase()] = decodeAll(a[2] ?? a[3] ?? a[4] ?? '');
  }
  if (name === 'span' && attrs.class !== 'tg-spoiler') throw new EntityParseError(`Unsupported start tag "span" ${where}`);
  const parent = stack[stack.length - 1];
  if (parent && (parent.type === 'code' || (parent.type === 'pre' && name !== 'code'))) {
    throw new EntityParseError(`Can't parse entities: tag "${name}" can't be nested in "${parent.tag}" ${where}`);
  }
  return { tag: name, type, offset, attrs };
}

function close(o: Open, text: string, entities: MessageEntity[], stack: readonly Open[]): void {
  const length = text.length - o.offset;
  const parent = stack[stack.length - 1];
  if (o.type === 'code' && parent?.type === 'pre') {
    // <pre><code class="language-x"> is one pre entity with a language.
    const lang = /^language-(.+)$/.exec(o.attrs.class ?? '')?.[1];
    if (lang) (parent.attrs as Record<string, string>).language = lang;
    return;
  }
  if (length === 0) return;
  if (o.type === 'text_link') {
    const url = o.attrs.href ?? '';
    if (url) entities.push({ type: 'text_link', offset: o.offset, length, url });
    return;
  }
  if (o.type === 'pre' && o.attrs.language) {
    entities.push({ type: 'pre', offset: o.offset, length, language: o.attrs.language });
    return;
  }
  const type = o.type === 'blockquote' && 'expandable' in o.attrs ? 'expandable_blockquote' : o.type;
  entities.push({ type, offset: o.offset, length });
}

function decode(ref: string): string | undefined {
  if (ref.startsWith('#')) {
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return NAMED[ref.toLowerCase()];
}

function decodeAll(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref: string) => decode(ref) ?? m);
}
