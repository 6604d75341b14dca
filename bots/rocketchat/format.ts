/**
 * Rocket.Chat markup ↔ canonical markup, pure functions.
 *
 * Rocket.Chat's message parser reads `*bold*` (and `**bold**`), `_italic_`, `~strike~`,
 * `` `code` ``, fenced blocks, `> quote`, `[label](url)` and `<url|label>`. It has no escape
 * character, so outbound user text cannot hide every mark: links and mass mentions are broken
 * with a zero-width space instead (that is what matters for safety); stray `*`/`_`/`~` in a
 * copied text may render as emphasis.
 */
import { escapeText, render, type Renderer } from '../../src/markup.js';

const ZWSP = '\u200b';

/** Rocket.Chat message → canonical markup. */
export function rocketToCanonical(msg: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const line of msg.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      fenced = !fenced;
      out.push(line.trimStart());
      continue;
    }
    if (fenced) {
      out.push(line);
      continue;
    }
    const quote = /^>\s?/.exec(line);
    out.push(quote ? `> ${inline(line.slice(quote[0].length))}` : inline(line));
  }
  return out.join('\n');
}

const MARKS: Record<string, string> = { '*': '**', _: '_', '~': '~~' };

function inline(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const code = /^`[^`\n]+`/.exec(rest);
    if (code) {
      out += code[0];
      i += code[0].length;
      continue;
    }
    const link = /^\[([^\]\n]*)\]\(((?:https?|mailto|ftp):[^)\s]+)\)/.exec(rest) ?? /^<((?:https?|mailto|ftp):[^|>\s]+)\|([^>\n]*)>/.exec(rest);
    if (link) {
      const [label, url] = link[0].startsWith('<') ? [link[2] ?? '', link[1] ?? ''] : [link[1] ?? '', link[2] ?? ''];
      out += label ? `[${inline(label)}](${url.replace(/[\\)]/g, '\\$&')})` : escapeText(url);
      i += link[0].length;
      continue;
    }
    const c = s[i] as string;
    const mark = MARKS[c];
    if (mark) {
      const run = s[i + 1] === c ? c + c : c;
      const close = closing(s, i, run);
      if (close > 0) {
        out += `${mark}${inline(s.slice(i + run.length, close))}${mark}`;
        i = close + run.length;
        continue;
      }
    }
    out += escapeText(c);
    i++;
  }
  return out;
}

/** Index of the mark run closing the one at `at`, or -1. Snake_case underscores do not count. */
function closing(s: string, at: number, run: string): number {
  const start = at + run.length;
  if (!s[start] || /\s/.test(s[start] ?? '') || s[start] === run[0]) return -1;
  if (run[0] === '_' && /[A-Za-z0-9]/.test(s[at - 1] ?? '')) return -1;
  for (let j = start + 1; j < s.length; j++) {
    if (s[j] === '`') {
      const end = s.indexOf('`', j + 1);
      if (end > j) j = end;
      continue;
    }
    if (!s.startsWith(run, j) || /\s/.test(s[j - 1] ?? '')) continue;
    if (s[j + run.length] === run[0]) continue;
    if (run[0] === '_' && /[A-Za-z0-9]/.test(s[j + run.length] ?? '')) continue;
    return j;
  }
  return -1;
}

/** Break what Rocket.Chat would turn into links; it has no escape character. */
export function neutralize(s: string): string {
  return s.replace(/\]\(/g, `]${ZWSP}(`).replace(/<(?=[A-Za-z][\w+.-]*:)/g, `<${ZWSP}`);
}

const renderer: Renderer = {
  text: neutralize,
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  strike: (s) => `~${s}~`,
  code: (s) => `\`${s.replace(/`/g, 'ˋ')}\``,
  pre: (s, lang) => `\`\`\`${lang ?? ''}\n${s.replace(/^```/gm, 'ˋˋˋ')}\n\`\`\``,
  link: (url, inner) => (inner === url || !inner ? url : `[${inner}](${url})`),
  quote: (s) =>
    s
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
};

const MASS = /(^|[^\w])([@!])((?:[*_~`]|\u200b)*)(all|here|everyone|channel)(?![a-zA-Z0-9])/gi;

/** Canonical markup → Rocket.Chat message; markup can never glue `@` to `all`/`here`. */
export function canonicalToRocket(text: string): string {
  return render(text, renderer).replace(MASS, (m, pre: string, sigil: string, marks: string, word: string) =>
    marks.includes(ZWSP) ? m : `${pre}${sigil}${ZWSP}${marks}${word}`,
  );
}
