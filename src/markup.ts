/**
 * Canonical markup: the one portable Markdown subset every message carries inside the bridge.
 *
 *   **bold**   _italic_ (or *italic*)   ~~strike~~   `code`   ```pre```   [label](url)
 *   > quote (at the start of a line)    \x  (a backslash makes any of the marks above literal)
 *
 * Bots convert their platform's markup into this on the way in (use `escapeText` for plain
 * text) and render it with `render` and a `Renderer` on the way out. Shared helpers for
 * splitting to a length, defusing mass mentions, and turning HTML into canonical marks (tag
 * table, `wrapMark`, `codeSpan`, `isSafeUrl`) live here too, written once.
 */

export type Node =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'bold' | 'italic' | 'strike' | 'quote'; readonly children: Node[] }
  | { readonly type: 'code'; readonly text: string }
  | { readonly type: 'pre'; readonly text: string; readonly lang?: string }
  | { readonly type: 'link'; readonly url: string; readonly children: Node[] };

const SPECIAL = /[\\*_~`[\]()>]/g;

/** Plain text → canonical markup (every mark character escaped). */
export function escapeText(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/** Parse canonical markup into a tree. Never throws: unmatched marks are text. */
export function parse(input: string): Node[] {
  const out: Node[] = [];
  const lines = input.split('\n');
  let i = 0;
  let first = true;
  const pushBreak = (): void => {
    if (!first) out.push({ type: 'text', text: '\n' });
    first = false;
  };
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      const lang = line.slice(3).trim();
      const end = lines.findIndex((l, j) => j > i && l.trimEnd() === '```');
      if (end > i) {
        pushBreak();
        const text = lines.slice(i + 1, end).join('\n');
        out.push(lang ? { type: 'pre', text, lang } : { type: 'pre', text });
        i = end + 1;
        continue;
      }
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      while (i < lines.length && (lines[i] ?? '').startsWith('>')) {
        quoted.push((lines[i] ?? '').replace(/^> ?/, ''));
        i++;
      }
      pushBreak();
      out.push({ type: 'quote', children: parseInline(quoted.join('\n')) });
      continue;
    }
    pushBreak();
    out.push(...parseInline(line));
    i++;
  }
  return merge(out);
}

const INLINE: ReadonlyArray<[string, 'bold' | 'italic' | 'strike']> = [
  ['**', 'bold'],
  ['~~', 'strike'],
  ['_', 'italic'],
  ['*', 'italic'],
];

function parseInline(s: string): Node[] {
  const out: Node[] = [];
  let buf = '';
  const flush = (): void => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  outer: while (i < s.length) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      buf += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const m = /^\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\s\\])+)\)/.exec(s.slice(i));
      if (m) {
        flush();
        out.push({ type: 'link', url: unescape(m[2] ?? ''), children: parseInline(m[1] ?? '') });
        i += m[0].length;
        continue;
      }
    }
    for (const [mark, type] of INLINE) {
      if (!s.startsWith(mark, i)) continue;
      const after = s[i + mark.length];
      if (after === undefined || after === ' ' || after === mark[0]) continue;
      const end = findClose(s, mark, i + mark.length);
      if (end < 0) continue;
      flush();
      out.push({ type, children: parseInline(s.slice(i + mark.length, end)) });
      i = end + mark.length;
      continue outer;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function findClose(s: string, mark: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s.startsWith(mark, j) && s[j - 1] !== ' ' && j > from) {
      // `_` inside a word (snake_case) does not close italic.
      if (mark === '_' && /\w/.test(s[j + 1] ?? '')) continue;
      return j;
    }
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function merge(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    const last = out[out.length - 1];
    if (n.type === 'text' && last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + n.text };
    else out.push(n);
  }
  return out;
}

/** How a platform writes each kind of node. `text` must escape the platform's own markup. */
export interface Renderer {
  text(s: string): string;
  bold(inner: string): string;
  italic(inner: string): string;
  strike(inner: string): string;
  code(s: string): string;
  pre(s: string, lang?: string): string;
  link(url: string, inner: string): string;
  quote(inner: string): string;
}

export function render(input: string | Node[], r: Renderer): string {
  const nodes = typeof input === 'string' ? parse(input) : input;
  return nodes.map((n) => renderNode(n, r)).join('');
}

function renderNode(n: Node, r: Renderer): string {
  switch (n.type) {
    case 'text':
      return r.text(n.text);
    case 'code':
      return r.code(n.text);
    case 'pre':
      return r.pre(n.text, n.lang);
    case 'link':
      return r.link(n.url, render(n.children, r));
    case 'bold':
      return r.bold(render(n.children, r));
    case 'italic':
      return r.italic(render(n.children, r));
    case 'strike':
      return r.strike(render(n.children, r));
    case 'quote':
      return r.quote(render(n.children, r));
  }
}

/** Canonical markup → plain text (for platforms without formatting, previews, logs). */
export const plainRenderer: Renderer = {
  text: (s) => s,
  bold: (s) => s,
  italic: (s) => s,
  strike: (s) => s,
  code: (s) => s,
  pre: (s) => s,
  link: (url, inner) => (inner && inner !== url ? `${inner} (${url})` : url),
  quote: quoteLines,
};

export function toPlain(text: string): string {
  return render(text, plainRenderer);
}

/** Canonical markup is already Markdown: for Markdown platforms, only `text` needs escaping. */
export function markdownRenderer(escape: (s: string) => string): Renderer {
  return {
    text: escape,
    bold: (s) => `**${s}**`,
    italic: (s) => `_${s}_`,
    strike: (s) => `~~${s}~~`,
    code: (s) => `\`${s.replace(/`/g, 'ˋ')}\``,
    pre: (s, lang) => `\`\`\`${lang ?? ''}\n${s}\n\`\`\``,
    link: (url, inner) => (inner === url ? url : `[${inner}](${url})`),
    quote: quoteLines,
  };
}

/** Prefix every line of `s` with `> `: a canonical (and Markdown) quote block. */
export function quoteLines(s: string): string {
  return s
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
}

// ---- helpers for bots that convert HTML into canonical markup (Matrix, Teams) -----------------

/** A canonical inline mark: bold, italic, strike. */
export type InlineMark = '**' | '_' | '~~';

/**
 * HTML inline-emphasis tags (lowercase names, as the bots' HTML readers give them) → the
 * canonical mark they become. Tags not in the table carry no mark of their own.
 */
export const HTML_TAG_MARKS: ReadonlyMap<string, InlineMark> = new Map<string, InlineMark>([
  ['b', '**'], ['strong', '**'],
  ['i', '_'], ['em', '_'],
  ['s', '~~'], ['strike', '~~'], ['del', '~~'],
]);

/** HTML heading tags: canonical markup has no headings, so they become a bold line. */
export const HTML_HEADINGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/**
 * Wrap already-canonical `inner` in `mark`, moving edge whitespace outside (a canonical mark
 * must touch text: `** a **` is not bold). Empty or all-whitespace `inner` comes back unwrapped.
 */
export function wrapMark(mark: InlineMark, inner: string): string {
  const core = inner.trim();
  if (!core) return inner;
  const lead = inner.slice(0, inner.length - inner.trimStart().length);
  const trail = inner.slice(inner.trimEnd().length);
  return `${lead}${mark}${core}${mark}${trail}`;
}

/**
 * Raw text → a canonical code span. Canonical code cannot escape a backtick, so each one
 * becomes `ˋ` (U+02CB); empty text gives no span at all.
 */
export function codeSpan(text: string): string {
  return text ? `\`${text.replace(/`/g, 'ˋ')}\`` : '';
}

const SAFE_URL = /^(https?:|mailto:)/i;

/**
 * Whether a link target may become a link: only `http:`, `https:` and `mailto:` (any case).
 * Anything else (`javascript:`, `data:`, relative paths) is kept as text, never as a link.
 */
export function isSafeUrl(url: string): boolean {
  return SAFE_URL.test(url);
}

const MASS = /(^|[^\w])([@!])(everyone|here|channel|all|room)\b/gi;
const ZWSP = '\u200b';

/**
 * Make mass mentions inert: `@everyone`, `@here`, `@channel`, `@all`, `@room`, `!channel`
 * get a zero-width space after the sigil, so no platform reads them as a ping.
 */
export function defuseMentions(text: string): string {
  return text.replace(MASS, (_m, pre: string, sigil: string, word: string) => `${pre}${sigil}${ZWSP}${word}`);
}

/**
 * Split text into chunks of at most `limit` characters (UTF-16 code units), preferring
 * paragraph, then line, then word boundaries; never splits a surrogate pair.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit <= 0) throw new RangeError('limit must be positive');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = window.lastIndexOf('\n\n');
    if (cut < limit / 2) cut = window.lastIndexOf('\n');
    if (cut < limit / 2) cut = window.lastIndexOf(' ');
    if (cut < limit / 2 || cut > limit) cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[ \n]+/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
