/**
 * Teams markup ↔ canonical markup. Pure functions, table-tested.
 *
 * Inbound, Teams gives message text as HTML (the `text/html` attachment, or `text` with
 * `textFormat: 'xml'`), or as plain text with `<at>Name</at>` mention tags. Outbound we send
 * `textFormat: 'xml'`: Teams' HTML subset, where escaping `& < > "` is enough to keep user text
 * from injecting markup or `<at>` mentions (Teams has no text-triggered mass mentions).
 */
import { codeSpan, escapeText, HTML_HEADINGS, HTML_TAG_MARKS, isSafeUrl, quoteLines, render, wrapMark, type Renderer } from '../../src/markup.js';
import { escapeHtml, parseHtml, textContent, type HtmlElement, type HtmlNode } from './html.js';

export interface InboundFormatOptions {
  /** Mentions of these names (case-insensitive) are removed: the bot's own mention. */
  readonly dropMentions?: readonly string[];
}

const MENTION_ITEMTYPE = 'http://schema.skype.com/mention';
const EMOJI_ITEMTYPE = 'http://schema.skype.com/emoji';
const BLOCKS = new Set(['p', 'div', 'ul', 'ol', 'table', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'section', 'article']);
/** Marks a block boundary while converting; adjacent boundaries collapse into one line break. */
const BLOCK = '\uE000';

function dropper(opts: InboundFormatOptions): (name: string) => boolean {
  const names = new Set((opts.dropMentions ?? []).map((n) => n.trim().toLowerCase()));
  return (name) => names.has(name.trim().toLowerCase());
}

/** A URL inside canonical `[label](url)`: no spaces, and `\ ( )` escaped. */
function canonicalUrl(url: string): string {
  return url.trim().replace(/\s/g, encodeURIComponent).replace(/[\\()]/g, (c) => `\\${c}`);
}

/** Lines of a fenced code block that could close the fence early get a zero-width space. */
function fenceSafe(code: string): string {
  return code.replace(/^```/gm, '\u200b```');
}

function isMention(el: HtmlElement): boolean {
  return el.tag === 'at' || (el.attrs.itemtype ?? '').toLowerCase() === MENTION_ITEMTYPE;
}

function convertNodes(nodes: readonly HtmlNode[], drop: (name: string) => boolean, inList?: 'ul' | 'ol'): string {
  let counter = 0;
  return nodes
    .map((n) => {
      if (typeof n === 'string') return escapeText(n.replace(/[ \t\r\n\f]+/g, ' '));
      if (n.tag === 'li') counter++;
      return convertElement(n, drop, inList, counter);
    })
    .join('');
}

function convertElement(el: HtmlElement, drop: (name: string) => boolean, list: 'ul' | 'ol' | undefined, n: number): string {
  const inner = (): string => convertNodes(el.children, drop, el.tag === 'ul' || el.tag === 'ol' ? el.tag : list);
  if (isMention(el)) {
    const name = textContent(el.children).replace(/\s+/g, ' ').trim();
    return !name || drop(name) ? '' : escapeText(`@${name}`);
  }
  const mark = HTML_TAG_MARKS.get(el.tag);
  if (mark) return wrapMark(mark, inner());
  if (HTML_HEADINGS.has(el.tag)) return `${BLOCK}${wrapMark('**', inner())}${BLOCK}`;
  switch (el.tag) {
    case 'br':
      return '\n';
    case 'code': {
      const code = textContent(el.children);
      if (code.includes('\n')) return `${BLOCK}\`\`\`\n${fenceSafe(code)}\n\`\`\`${BLOCK}`;
      return codeSpan(code);
    }
    case 'pre':
    case 'codeblock': {
      const code = textContent(el.children).replace(/^\n/, '').replace(/\n$/, '');
      return `${BLOCK}\`\`\`\n${fenceSafe(code)}\n\`\`\`${BLOCK}`;
    }
    case 'a': {
      const href = (el.attrs.href ?? '').trim();
      const label = inner();
      if (!isSafeUrl(href)) return label;
      return `[${label.trim() || escapeText(href)}](${canonicalUrl(href)})`;
    }
    case 'img':
    case 'emoji': {
      const emoji = el.tag === 'emoji' || (el.attrs.itemtype ?? '').toLowerCase() === EMOJI_ITEMTYPE;
      return emoji ? escapeText(el.attrs.alt ?? '') : '';
    }
    case 'blockquote':
      return `${BLOCK}${quoteLines(tidy(inner()))}${BLOCK}`;
    case 'li':
      return `${BLOCK}${list === 'ol' ? `${n}. ` : '- '}${inner().trim()}${BLOCK}`;
    case 'script':
    case 'style':
    case 'head':
    case 'title':
      return '';
    default:
      return BLOCKS.has(el.tag) ? `${BLOCK}${inner()}${BLOCK}` : inner();
  }
}

/** Trim each line (outside code fences) and collapse runs of blank lines. */
function tidy(s: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const raw of s.replace(/\uE000(?:[ \t\r\n]*\uE000)*/g, '\n').split('\n')) {
    if (raw.startsWith('```')) {
      fenced = !fenced;
      out.push(raw.trimEnd());
      continue;
    }
    out.push(fenced ? raw : raw.trim().replace(/\u00a0/g, ' '));
  }
  return out
    .join('\n')
    .replace(/^\n+|\n+$/g, '')
    .replace(/\n{3,}/g, (m, at: number, all: string) => (insideFence(all, at) ? m : '\n\n'));
}

function insideFence(all: string, at: number): boolean {
  return (all.slice(0, at).match(/^```/gm) ?? []).length % 2 === 1;
}

/** Teams HTML (message `text/html` attachment or `textFormat: 'xml'` text) → canonical markup. */
export function teamsHtmlToCanonical(html: string, opts: InboundFormatOptions = {}): string {
  return tidy(convertNodes(parseHtml(html.replace(/\uE000/g, '')), dropper(opts)));
}

/** Teams plain `text` (which still carries `<at>Name</at>` mention tags) → canonical markup. */
export function teamsTextToCanonical(text: string, opts: InboundFormatOptions = {}): string {
  const drop = dropper(opts);
  let out = '';
  let last = 0;
  const re = /<at(?:\s[^>]*)?>([\s\S]*?)<\/at>/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out += escapeText(text.slice(last, m.index));
    const name = (m[1] ?? '').trim();
    if (name && !drop(name)) out += escapeText(`@${name}`);
    last = m.index + m[0].length;
  }
  out += escapeText(text.slice(last));
  return out.replace(/[ \t]{2,}/g, ' ').trim();
}

/** Canonical markup → Teams HTML (`textFormat: 'xml'`). */
export const teamsRenderer: Renderer = {
  text: (s) => escapeHtml(s).replace(/\n/g, '<br>'),
  bold: (s) => `<b>${s}</b>`,
  italic: (s) => `<i>${s}</i>`,
  strike: (s) => `<strike>${s}</strike>`,
  code: (s) => `<code>${escapeHtml(s)}</code>`,
  pre: (s) => `<pre>${escapeHtml(s)}</pre>`,
  link: (url, inner) => (isSafeUrl(url) ? `<a href="${escapeHtml(url)}">${inner}</a>` : `${inner} (${escapeHtml(url)})`),
  quote: (s) => `<blockquote>${s}</blockquote>`,
};

export function canonicalToTeamsHtml(text: string): string {
  return render(text, teamsRenderer);
}
