/**
 * XEP-0393 Message Styling ↔ canonical markup (pure functions).
 *
 *   *strong*  _emphasis_  ~strike~  `pre`  ```block```  > quote
 *
 * XEP-0393 has no escape character: plain copies carry `<unstyled/>` so clients show them
 * literally; copies with formatting are rendered as directives.
 */
import { escapeText, parse, render, type Node, type Renderer } from '../../src/markup.js';

const DIRECTIVES = '*_~`';

function spans(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    const prev = s[i - 1];
    const next = s[i + 1];
    const opens = DIRECTIVES.includes(c) && (prev === undefined || /\s/.test(prev) || DIRECTIVES.includes(prev)) && next !== undefined && !/\s/.test(next);
    if (opens) {
      let j = i + 2;
      while (j < s.length && !(s[j] === c && !/\s/.test(s[j - 1] as string))) j++;
      if (j < s.length) {
        const inner = s.slice(i + 1, j);
        const after = s[j + 1] ?? '';
        if (c === '`') out += `\`${inner}\``;
        else if (c === '*') out += `**${spans(inner)}**`;
        else if (c === '~') out += `~~${spans(inner)}~~`;
        else out += /\w/.test(after) ? `*${spans(inner)}*` : `_${spans(inner)}_`;
        i = j + 1;
        continue;
      }
    }
    out += escapeText(c);
    i++;
  }
  return out;
}

/** A message body styled per XEP-0393 → canonical markup. */
export function xmppToCanonical(body: string, unstyled = false): string {
  if (unstyled) return escapeText(body);
  const lines = body.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('```')) {
      const end = lines.findIndex((l, k) => k > i && l.trimEnd() === '```');
      const stop = end < 0 ? lines.length : end;
      out.push(`\`\`\`${line.slice(3).trim()}`, ...lines.slice(i + 1, stop), '```');
      i = stop;
      continue;
    }
    if (line.startsWith('>')) out.push(`> ${spans(line.replace(/^> ?/, ''))}`);
    else out.push(spans(line));
  }
  return out.join('\n');
}

/** Characters XML 1.0 cannot carry (a stanza with them would end the stream). */
export function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex -- removing the characters XML forbids is the point
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

export const xmppRenderer: Renderer = {
  text: xmlSafe,
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  strike: (s) => `~${s}~`,
  code: (s) => `\`${xmlSafe(s)}\``,
  pre: (s) => `\`\`\`\n${xmlSafe(s)}\n\`\`\``,
  link: (url, inner) => (inner && inner !== url ? `${inner} (${xmlSafe(url)})` : xmlSafe(url)),
  quote: (s) =>
    s
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
};

const styled = (nodes: readonly Node[]): boolean =>
  nodes.some((n) => n.type !== 'text' && (n.type !== 'link' || styled(n.children)));

/** Canonical markup → a body, and whether it must be marked `<unstyled/>` (no formatting at all). */
export function canonicalToXmpp(text: string): { body: string; unstyled: boolean } {
  const nodes = parse(text);
  return { body: render(nodes, xmppRenderer), unstyled: !styled(nodes) };
}

const ZWSP = '\u200b';

/** Zero-width space inside the author's name so a copy does not highlight a namesake in the room. */
export function defuseName(text: string, name: string): string {
  const n = name.trim();
  if (n.length < 2) return text;
  const esc = n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])(${esc})(?![\\p{L}\\p{N}_])`, 'giu');
  return text
    .split(/(\b[a-z][a-z0-9+.-]*:\/\/\S+)/i)
    .map((part, k) =>
      k % 2 === 1
        ? part
        : part.replace(re, (_m, pre: string, hit: string) => {
            const first = String.fromCodePoint(hit.codePointAt(0) ?? 0);
            return `${pre}${first}${ZWSP}${hit.slice(first.length)}`;
          }),
    )
    .join('');
}
