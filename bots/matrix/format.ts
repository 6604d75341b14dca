/**
 * Matrix markup ↔ canonical markup, pure functions.
 *
 * Inbound: `formatted_body` (org.matrix.custom.html) → canonical; plain `body` → escaped text.
 * Reply fallbacks (`<mx-reply>` and `> <@user> …` lines) are dropped: replies travel as `replyTo`.
 * Outbound: canonical → `{ body, formatted_body }`, every piece of user text HTML-escaped.
 */
import { codeSpan, escapeText, HTML_HEADINGS, HTML_TAG_MARKS, isSafeUrl, quoteLines, render, toPlain, wrapMark, type Renderer } from '../../src/markup.js';
import { escapeHtml, parseHtml, type HtmlNode } from './html.js';

export function htmlToCanonical(html: string): string {
  return tidy(convert(parseHtml(html)));
}

/** Plain `body` → canonical: reply fallback removed, every mark escaped. */
export function bodyToCanonical(body: string): string {
  return escapeText(stripReplyFallback(body));
}

export function stripReplyFallback(body: string): string {
  if (!body.startsWith('> <')) return body;
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').startsWith('>')) i++;
  if (i < lines.length && lines[i] === '') i++;
  return lines.slice(i).join('\n');
}

function textOf(nodes: HtmlNode[]): string {
  return nodes.map((n) => (n.kind === 'text' ? n.text : n.tag === 'br' ? '\n' : textOf(n.children))).join('');
}

function convert(nodes: HtmlNode[]): string {
  return nodes.map(convertNode).join('');
}

function convertNode(n: HtmlNode): string {
  if (n.kind === 'text') return escapeText(n.text.replace(/\s+/g, ' '));
  const inner = (): string => convert(n.children);
  const mark = HTML_TAG_MARKS.get(n.tag);
  if (mark) return wrapMark(mark, inner());
  if (HTML_HEADINGS.has(n.tag)) return `\n${wrapMark('**', inner())}\n`;
  switch (n.tag) {
    case 'mx-reply':
    case 'script':
    case 'style':
      return '';
    case 'br':
      return '\n';
    case 'p':
    case 'div':
      return `\n\n${inner()}\n\n`;
    case 'code':
      return codeSpan(textOf(n.children));
    case 'pre': {
      const code = n.children.find((c): c is HtmlNode & { kind: 'el' } => c.kind === 'el' && c.tag === 'code');
      const lang = /language-([\w+-]+)/.exec(code?.attrs.class ?? '')?.[1] ?? '';
      const body = textOf(n.children).replace(/\n$/, '').replace(/^```/gm, 'ˋˋˋ');
      return `\n\`\`\`${lang}\n${body}\n\`\`\`\n`;
    }
    case 'a': {
      const href = n.attrs.href ?? '';
      const label = inner();
      if (/^https:\/\/matrix\.to\/#\//.test(href)) return label || escapeText(href);
      if (!isSafeUrl(href)) return label;
      if (!label.trim()) return escapeText(href);
      return `[${label}](${href.replace(/[\\)]/g, '\\$&').replace(/\s/g, '%20')})`;
    }
    case 'blockquote':
      return `\n${quoteLines(tidy(inner()))}\n`;
    case 'ul':
    case 'ol': {
      let k = Number(n.attrs.start ?? '1') || 1;
      const items = n.children
        .filter((c): c is HtmlNode & { kind: 'el' } => c.kind === 'el' && c.tag === 'li')
        .map((li) => `${n.tag === 'ol' ? `${k++}.` : '-'} ${tidy(convert(li.children))}`);
      return `\n${items.join('\n')}\n`;
    }
    case 'hr':
      return '\n\n';
    case 'img':
      return escapeText(n.attrs.alt ?? n.attrs.title ?? '');
    default:
      return inner();
  }
}

/** Normalise whitespace left by block elements. */
function tidy(s: string): string {
  return s
    .split('\n')
    .map((l) => l.replace(/^ +| +$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const htmlRenderer: Renderer = {
  text: (s) => escapeHtml(s).replace(/\n/g, '<br>'),
  bold: (s) => `<strong>${s}</strong>`,
  italic: (s) => `<em>${s}</em>`,
  strike: (s) => `<del>${s}</del>`,
  code: (s) => `<code>${escapeHtml(s)}</code>`,
  pre: (s, lang) => {
    const l = lang && /^[\w+-]+$/.test(lang) ? ` class="language-${lang}"` : '';
    return `<pre><code${l}>${escapeHtml(s)}</code></pre>`;
  },
  link: (url, inner) => (isSafeUrl(url) ? `<a href="${escapeHtml(url)}">${inner}</a>` : inner),
  quote: (s) => `<blockquote>${s}</blockquote>`,
};

export interface RenderedText {
  readonly body: string;
  /** Set only when the text carries formatting beyond plain text. */
  readonly formatted_body?: string;
}

/** Canonical markup → `body` (plain fallback) and `formatted_body` (HTML). */
export function canonicalToMatrix(text: string): RenderedText {
  const body = toPlain(text);
  const html = render(text, htmlRenderer).replace(/<\/(blockquote|pre)><br>/g, '</$1>');
  const plainHtml = escapeHtml(body).replace(/\n/g, '<br>');
  return html === plainHtml ? { body } : { body, formatted_body: html };
}
