/**
 * Format out: canonical markup → Telegram HTML (parse_mode HTML), and fitting it to a limit.
 *
 * Only the tags below are emitted; every piece of user text goes through `escapeHtml`, so a
 * `<b>` typed by a user arrives as text, never as a tag. Telegram counts its 4096 / 1024 limits
 * on the text after parsing; we keep the raw HTML under the limit, which is stricter.
 */
import { render, splitText, toPlain, type Renderer } from '../../src/markup.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const escapeAttr = (s: string): string => escapeHtml(s).replace(/"/g, '&quot;');

/** Schemes Telegram accepts in `<a href>`. Anything else is shown as text. */
const LINKABLE = /^(https?|tg|mailto|ftp):/i;

export const htmlRenderer: Renderer = {
  text: escapeHtml,
  bold: (s) => `<b>${s}</b>`,
  italic: (s) => `<i>${s}</i>`,
  strike: (s) => `<s>${s}</s>`,
  code: (s) => `<code>${escapeHtml(s)}</code>`,
  pre: (s, lang) =>
    lang && /^[\w+#.-]+$/.test(lang)
      ? `<pre><code class="language-${lang}">${escapeHtml(s)}</code></pre>`
      : `<pre>${escapeHtml(s)}</pre>`,
  link: (url, inner) => {
    if (!LINKABLE.test(url)) return inner === escapeHtml(url) ? inner : `${inner} (${escapeHtml(url)})`;
    return `<a href="${escapeAttr(url)}">${inner || escapeHtml(url)}</a>`;
  },
  quote: (s) => `<blockquote>${s}</blockquote>`,
};

export function toHtml(canonical: string): string {
  return render(canonical, htmlRenderer);
}

/**
 * Canonical text → HTML chunks, each at most `limit` characters of HTML. Splits the canonical
 * text at `limit` first, then splits any chunk whose HTML came out longer (entities, tags) again,
 * in proportion. Chunks that would show nothing are dropped.
 */
export function splitHtml(canonical: string, limit: number): string[] {
  const out: string[] = [];
  for (const chunk of splitText(canonical, limit)) fit(chunk, limit, out);
  return out;
}

function fit(chunk: string, limit: number, out: string[]): void {
  if (!toPlain(chunk).trim()) return;
  const html = toHtml(chunk);
  if (html.length <= limit) {
    out.push(html);
    return;
  }
  const smaller = Math.max(1, Math.floor((chunk.length * limit) / html.length));
  for (const part of splitText(chunk, smaller)) fit(part, limit, out);
}

/** One HTML piece of at most `limit` characters: the first chunk, with `…` when cut. */
export function truncateHtml(canonical: string, limit: number): string {
  const whole = splitHtml(canonical, limit);
  if (whole.length <= 1) return whole[0] ?? '';
  return `${splitHtml(canonical, limit - 1)[0] ?? ''}…`;
}
