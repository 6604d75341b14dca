/**
 * IRC formatting codes ↔ canonical markup (pure functions).
 *
 *   \x02 bold   \x1d italic   \x1e strike   \x11 monospace   \x0f reset
 *   \x03 colours, \x04 hex colours, \x16 reverse, \x1f underline: stripped on the way in
 */
import { escapeText, quoteLines, render, type Renderer } from '../../src/markup.js';

export const B = '\x02';
export const I = '\x1d';
export const S = '\x1e';
export const M = '\x11';
export const RESET = '\x0f';

export interface Style {
  bold: boolean;
  italic: boolean;
  strike: boolean;
  mono: boolean;
}

export const plainStyle = (): Style => ({ bold: false, italic: false, strike: false, mono: false });

const TOGGLES: Record<string, keyof Style> = { [B]: 'bold', [I]: 'italic', [S]: 'strike', [M]: 'mono' };
// eslint-disable-next-line no-control-regex -- IRC formatting codes are control characters
const COLOR = /^\x03(?:\d{1,2}(?:,\d{1,2})?)?/;
// eslint-disable-next-line no-control-regex -- IRC formatting codes are control characters
const HEX = /^\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?/;

/**
 * Length of the formatting code at `s[i]` and the style after it, or undefined when `s[i]` is
 * not a formatting code. Colours, reverse and underline are codes that change nothing we keep.
 */
export function readCode(s: string, i: number, style: Style): { len: number; style: Style } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  const key = TOGGLES[c];
  if (key) return { len: 1, style: { ...style, [key]: !style[key] } };
  if (c === RESET) return { len: 1, style: plainStyle() };
  if (c === '\x03') return { len: (COLOR.exec(s.slice(i, i + 6))?.[0] ?? c).length, style };
  if (c === '\x04') return { len: (HEX.exec(s.slice(i, i + 15))?.[0] ?? c).length, style };
  if (c === '\x16' || c === '\x1f') return { len: 1, style };
  return undefined;
}

/** The codes that open `style` at the start of a fresh line. */
export function openCodes(style: Style): string {
  return (style.bold ? B : '') + (style.italic ? I : '') + (style.strike ? S : '') + (style.mono ? M : '');
}

/** Remove every formatting and control code (for command detection and plain previews). */
export function stripFormatting(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const code = readCode(s, i, plainStyle());
    if (code) {
      i += code.len;
      continue;
    }
    const c = s[i] as string;
    if (c >= ' ' || c === '\n') out += c;
    i++;
  }
  return out;
}

const sameStyle = (a: Style, b: Style): boolean =>
  a.bold === b.bold && a.italic === b.italic && a.strike === b.strike && a.mono === b.mono;

/** One IRC line (a PRIVMSG or ACTION text) → canonical markup. */
export function ircToCanonical(s: string): string {
  const runs: Array<{ text: string; style: Style }> = [];
  let style = plainStyle();
  let i = 0;
  while (i < s.length) {
    const code = readCode(s, i, style);
    if (code) {
      style = code.style;
      i += code.len;
      continue;
    }
    const c = s[i] as string;
    i++;
    if (c < ' ' && c !== '\n') continue; // stray control characters (\x01, \x07, ...)
    const last = runs[runs.length - 1];
    if (last && sameStyle(last.style, style)) last.text += c;
    else runs.push({ text: c, style });
  }
  let out = '';
  runs.forEach((run, k) => {
    const next = runs[k + 1]?.text[0] ?? '';
    out += runToCanonical(run.text, run.style, next);
  });
  return out;
}

function runToCanonical(text: string, style: Style, nextChar: string): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  const [lead, core, trail] = [m?.[1] ?? '', m?.[2] ?? '', m?.[3] ?? ''];
  if (!core) return text;
  let inner = style.mono && !core.includes('`') ? `\`${core}\`` : escapeText(core);
  if (style.strike) inner = `~~${inner}~~`;
  // `_x_` does not close before a word character (snake_case rule): use `*x*` there.
  if (style.italic) inner = !trail && /\w/.test(nextChar) ? `*${inner}*` : `_${inner}_`;
  if (style.bold) inner = `**${inner}**`;
  return lead + inner + trail;
}

/** Control characters user text must not carry into IRC (CTCP \x01, formatting, CR, NUL). */
export function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return s.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, '');
}

export const ircRenderer: Renderer = {
  text: stripControls,
  bold: (s) => `${B}${s}${B}`,
  italic: (s) => `${I}${s}${I}`,
  strike: (s) => `${S}${s}${S}`,
  code: (s) => `${M}${stripControls(s)}${M}`,
  pre: (s) =>
    s
      .split('\n')
      .map(stripControls)
      .map((l) => (l ? `${M}${l}${M}` : ''))
      .join('\n'),
  link: (url, inner) => {
    const u = stripControls(url).replace(/\s/g, '%20');
    return inner && stripFormatting(inner) !== u ? `${inner} (${u})` : u;
  },
  quote: quoteLines,
};

/** Canonical markup → IRC text (may contain newlines: one PRIVMSG per line). */
export function canonicalToIrc(text: string): string {
  return render(text, ircRenderer);
}

const ZWSP = '\u200b';

/**
 * Insert a zero-width space after the first character of every whole-word occurrence of
 * `name`, so a relayed author's name does not highlight the IRC user who has the same nick.
 * Links are left alone (a zero-width space would break them).
 */
export function defuseNick(text: string, name: string): string {
  const n = name.trim();
  if (!n) return text;
  const esc = n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const nickChar = '\\p{L}\\p{N}_\\-\\[\\]\\\\^{}|`';
  const re = new RegExp(`(^|[^${nickChar}])(${esc})(?![${nickChar}])`, 'giu');
  return text
    .split(/(\b[a-z][a-z0-9+.-]*:\/\/\S+)/i)
    .map((part, k) =>
      k % 2 === 1 ? part : part.replace(re, (_m, pre: string, hit: string) => {
            const first = String.fromCodePoint(hit.codePointAt(0) ?? 0);
            return `${pre}${first}${ZWSP}${hit.slice(first.length)}`;
          }),
    )
    .join('');
}
