/**
 * Slack mrkdwn ↔ canonical markup (src/markup.ts). Pure functions, table-tested.
 *
 * Slack text arrives with `&`, `<`, `>` entity-encoded; everything between `<` and `>` is a
 * control token: `<@U123>` user, `<#C123|general>` channel, `<!here>` special mention,
 * `<https://x|label>` link. Formatting: `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
 * ```` ```pre``` ````, `&gt; quote` lines and `&gt;&gt;&gt;` (quote the rest).
 *
 * On the way out every character of user text is entity-encoded again, so no copy can form a
 * control token (`<!channel>`, `<@U…>`, `<!subteam^…>`): pings and links only come from our own
 * `<url|label>` links, whose URL is percent-encoded.
 */
import { escapeText, render, type Node, type Renderer } from '../../src/markup.js';

/** Names for ids found in tokens that carry no label. Missing ids fall back to the raw id. */
export interface NameLookup {
  readonly users?: ReadonlyMap<string, string>;
  readonly channels?: ReadonlyMap<string, string>;
}

const decodeEntities = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** User and channel ids in `<@U…>` / `<#C…>` tokens without a label, to look up before converting. */
export function referencedIds(text: string): { users: string[]; channels: string[] } {
  const users = new Set<string>();
  const channels = new Set<string>();
  for (const m of text.matchAll(/<([@#])([A-Z0-9]+)(\|[^>]*)?>/g)) {
    const label = m[3]?.slice(1);
    if (m[1] === '@' && !label) users.add(m[2] as string);
    if (m[1] === '#' && !label) channels.add(m[2] as string);
  }
  return { users: [...users], channels: [...channels] };
}

/** One `<…>` control token → the node it shows as. */
function tokenNode(inner: string, names: NameLookup): Node {
  const bar = inner.indexOf('|');
  const head = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : '';
  const text = (t: string): Node => ({ type: 'text', text: t });
  if (head.startsWith('@')) {
    const id = head.slice(1);
    return text(`@${label || names.users?.get(id) || id}`);
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    return text(`#${label || names.channels?.get(id) || id}`);
  }
  if (head.startsWith('!')) {
    const word = head.slice(1);
    if (label) return text(label);
    const sub = /^subteam\^(\w+)/.exec(word);
    if (sub) return text(`@${sub[1]}`);
    if (word.startsWith('date^')) return text(word.split('^')[1] ?? '');
    return text(`@${word}`);
  }
  const url = decodeEntities(head);
  return { type: 'link', url, children: [text(label || url)] };
}

const WORD = /[\p{L}\p{N}]/u;
const MARKS: Record<string, 'bold' | 'italic' | 'strike'> = { '*': 'bold', _: 'italic', '~': 'strike' };

/** Inline mrkdwn of one line (or of a mark's content) → nodes. */
function parseInline(s: string, names: NameLookup): Node[] {
  const out: Node[] = [];
  let buf = '';
  const flush = (): void => {
    if (buf) out.push({ type: 'text', text: decodeEntities(buf) });
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '<') {
      const end = s.indexOf('>', i + 1);
      if (end > i + 1) {
        flush();
        out.push(tokenNode(s.slice(i + 1, end), names));
        i = end + 1;
        continue;
      }
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: 'code', text: plainOf(s.slice(i + 1, end), names) });
        i = end + 1;
        continue;
      }
    }
    const mark = MARKS[c];
    if (mark && !WORD.test(s[i - 1] ?? ' ') && s[i + 1] !== undefined && !/\s/.test(s[i + 1] as string)) {
      const end = findClose(s, c, i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: mark, children: parseInline(s.slice(i + 1, end), names) });
        i = end + 1;
        continue;
      }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function findClose(s: string, mark: string, from: number): number {
  for (let j = from + 1; j < s.length; j++) {
    if (s[j] === '<') {
      const end = s.indexOf('>', j);
      if (end > j) j = end;
      continue;
    }
    if (s[j] === mark && !/\s/.test(s[j - 1] as string) && !WORD.test(s[j + 1] ?? ' ')) return j;
  }
  return -1;
}

/** Tokens and entities of a code span, shown as plain text. */
function plainOf(s: string, names: NameLookup): string {
  return s.replace(/<([^>]+)>/g, (_m, inner: string) => {
    const n = tokenNode(inner, names);
    return n.type === 'text' ? n.text : n.type === 'link' ? n.url : '';
  }).replace(/&lt;|&gt;|&amp;/g, (e) => decodeEntities(e));
}

/** Slack mrkdwn → canonical nodes. Pre blocks may span lines; quotes are per line or `>>>`. */
export function parseMrkdwn(text: string, names: NameLookup = {}): Node[] {
  const out: Node[] = [];
  const parts = text.split(/```/);
  // Odd parts are inside ``` … ``` (an unmatched trailing ``` stays text).
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  parts.forEach((part, idx) => {
    if (idx % 2 === 1 && idx < closed) {
      out.push({ type: 'pre', text: plainOf(part.replace(/^\n/, '').replace(/\n$/, ''), names) });
      return;
    }
    const chunk = idx % 2 === 1 ? '```' + part : part;
    out.push(...parseLines(chunk, names));
  });
  return out;
}

function parseLines(chunk: string, names: NameLookup): Node[] {
  const out: Node[] = [];
  const lines = chunk.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) out.push({ type: 'text', text: '\n' });
    const line = lines[i] as string;
    const rest = /^(?:&gt;|>){3}\s?/.exec(line);
    if (rest) {
      const quoted = [line.slice(rest[0].length), ...lines.slice(i + 1)].join('\n');
      out.push({ type: 'quote', children: parseInline(quoted, names) });
      break;
    }
    const q = /^(?:&gt;|>)\s?/.exec(line);
    if (q) {
      const quoted = [line.slice(q[0].length)];
      while (i + 1 < lines.length && /^(?:&gt;|>)(?!(?:&gt;|>){2})/.test(lines[i + 1] as string)) {
        quoted.push((lines[++i] as string).replace(/^(?:&gt;|>)\s?/, ''));
      }
      out.push({ type: 'quote', children: parseInline(quoted.join('\n'), names) });
      continue;
    }
    out.push(...parseInline(line, names));
  }
  return out;
}

const escapeUrl = (url: string): string => url.replace(/[\\()\s]/g, (c) => (/\s/.test(c) ? encodeURIComponent(c) : `\\${c}`));

/** A canonical `[label](url)` link (label is plain text). */
export const canonicalLink = (url: string, label: string): string => `[${escapeText(label)}](${escapeUrl(url)})`;

/** Writes nodes as canonical markup. */
const canonicalRenderer: Renderer = {
  text: escapeText,
  bold: (s) => `**${s}**`,
  italic: (s) => `_${s}_`,
  strike: (s) => `~~${s}~~`,
  code: (s) => `\`${s.replace(/`/g, 'ˋ')}\``,
  pre: (s) => `\`\`\`\n${s}\n\`\`\``,
  link: (url, inner) => `[${inner}](${escapeUrl(url)})`,
  quote: (s) =>
    s
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
};

/** Slack mrkdwn → canonical markup. `names` resolves `<@U…>` / `<#C…>` tokens without labels. */
export function mrkdwnToCanonical(text: string, names: NameLookup = {}): string {
  const nodes = parseMrkdwn(text, names);
  let out = '';
  let afterBlock = false;
  for (const n of nodes) {
    let piece = render([n], canonicalRenderer);
    const block = n.type === 'pre' || n.type === 'quote';
    // Blocks stand on lines of their own in canonical markup.
    if (block) {
      out = out.replace(/[ \t]+$/, '');
      if (out && !out.endsWith('\n')) out += '\n';
    } else if (afterBlock) {
      piece = piece.replace(/^[ \t]+/, '');
      if (piece && !piece.startsWith('\n')) out += '\n';
    }
    afterBlock = block || (afterBlock && piece === '');
    out += piece;
  }
  return out;
}

/** Entity-encode user text for Slack: no `<…>` token can come out of it. */
export const escapeMrkdwn = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const SAFE_LINK = /^(https?:|mailto:)/i;
const encodeLinkUrl = (url: string): string =>
  url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;');

/** Canonical → Slack mrkdwn. */
export const mrkdwnRenderer: Renderer = {
  // A leading `>` would read as a quote marker: put an invisible space before it.
  text: (s) => escapeMrkdwn(s).replace(/(^|\n)&gt;/g, '$1\u200b&gt;'),
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  strike: (s) => `~${s}~`,
  code: (s) => `\`${escapeMrkdwn(s.replace(/`/g, 'ˋ'))}\``,
  pre: (s, _lang) => `\`\`\`\n${escapeMrkdwn(s.replace(/```/g, 'ˋˋˋ'))}\n\`\`\``,
  link: (url, inner) => {
    if (!SAFE_LINK.test(url)) return inner === escapeMrkdwn(url) ? inner : `${inner} (${escapeMrkdwn(url)})`;
    const u = encodeLinkUrl(url);
    return inner === escapeMrkdwn(url) ? `<${u}>` : `<${u}|${inner}>`;
  },
  quote: (s) =>
    s
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
};

/** Canonical markup → Slack mrkdwn, safe to post with `link_names: false`. */
export function canonicalToMrkdwn(text: string): string {
  return render(text, mrkdwnRenderer);
}
