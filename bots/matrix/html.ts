/**
 * A tolerant parser for the HTML subset Matrix clients send in `formatted_body`
 * (spec: "m.room.message msgtypes", allowed tags). Produces a small tree; never throws.
 */

export type HtmlNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'el'; readonly tag: string; readonly attrs: Record<string, string>; readonly children: HtmlNode[] };

const VOID = new Set(['br', 'hr', 'img']);
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/y;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

export function parseHtml(input: string): HtmlNode[] {
  const root: HtmlNode & { kind: 'el' } = { kind: 'el', tag: '#root', attrs: {}, children: [] };
  const stack: (HtmlNode & { kind: 'el' })[] = [root];
  let text = '';
  const top = (): HtmlNode & { kind: 'el' } => stack[stack.length - 1] ?? root;
  const flush = (): void => {
    if (text) top().children.push({ kind: 'text', text: decodeEntities(text) });
    text = '';
  };
  let i = 0;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt < 0) {
      text += input.slice(i);
      break;
    }
    text += input.slice(i, lt);
    if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt + 4);
      i = end < 0 ? input.length : end + 3;
      continue;
    }
    TAG.lastIndex = lt;
    const m = TAG.exec(input);
    if (!m) {
      text += '<';
      i = lt + 1;
      continue;
    }
    flush();
    i = TAG.lastIndex;
    const closing = m[1] === '/';
    const tag = (m[2] ?? '').toLowerCase();
    if (closing) {
      const at = stack.map((n) => n.tag).lastIndexOf(tag);
      if (at > 0) stack.length = at;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(ATTR)) attrs[(a[1] ?? '').toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    const el: HtmlNode & { kind: 'el' } = { kind: 'el', tag, attrs, children: [] };
    top().children.push(el);
    if (!VOID.has(tag) && m[4] !== '/') stack.push(el);
  }
  flush();
  return root.children;
}
