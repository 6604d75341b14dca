/**
 * Split IRC text into lines that fit a byte budget (UTF-8), on word boundaries where possible,
 * never inside a grapheme, and carrying bold/italic/strike/monospace over to the next line.
 */
import { openCodes, plainStyle, readCode, stripFormatting, type Style } from './format.js';

const encoder = new TextEncoder();
export const utf8Length = (s: string): number => encoder.encode(s).length;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** IRC allows 512 bytes per line, CR LF included. */
export const IRC_LINE_BYTES = 512;

/**
 * Bytes left for the text of `PRIVMSG <target> :<text>` once the server has put our
 * `:nick!user@host ` source in front of it for the receivers (host length is unknown: 63).
 */
export function textBudget(opts: { command: string; target: string; nick: string; username: string; action?: boolean }): number {
  const source = utf8Length(`:${opts.nick}!~${opts.username}@`) + 63 + 1;
  const head = utf8Length(`${opts.command} ${opts.target} :`);
  const ctcp = opts.action ? utf8Length('\x01ACTION \x01') : 0;
  return IRC_LINE_BYTES - 2 - source - head - ctcp;
}

function applyAll(style: Style, s: string): Style {
  let st = style;
  let i = 0;
  while (i < s.length) {
    const code = readCode(s, i, st);
    if (code) {
      st = code.style;
      i += code.len;
    } else i++;
  }
  return st;
}

const visible = (s: string): boolean => stripFormatting(s).trim().length > 0;

/** Text (possibly multi-line) → lines of at most `maxBytes` bytes each; empty lines are dropped. */
export function splitIrcText(text: string, maxBytes: number): string[] {
  if (maxBytes < 8) throw new RangeError('maxBytes too small');
  const out: string[] = [];
  let style = plainStyle();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const g = Array.from(segmenter.segment(line), (x) => x.segment);
    let i = 0;
    while (i < g.length) {
      const prefix = openCodes(style);
      let bytes = utf8Length(prefix);
      let st = style;
      let j = i;
      let cut = -1;
      let cutStyle = style;
      while (j < g.length) {
        const piece = g[j] as string;
        const b = utf8Length(piece);
        if (bytes + b > maxBytes) break;
        bytes += b;
        st = applyAll(st, piece);
        if (piece === ' ' && j > i) {
          cut = j;
          cutStyle = st;
        }
        j++;
      }
      let end: number;
      let next: number;
      let nextStyle: Style;
      if (j >= g.length) [end, next, nextStyle] = [g.length, g.length, st];
      else if (cut > i) [end, next, nextStyle] = [cut, cut + 1, cutStyle];
      else if (j > i) [end, next, nextStyle] = [j, j, st];
      else [end, next, nextStyle] = [i + 1, i + 1, applyAll(style, g[i] as string)]; // one grapheme over budget
      const chunk = (prefix + g.slice(i, end).join('')).trimEnd();
      if (visible(chunk)) out.push(chunk);
      style = nextStyle;
      i = next;
      while (j < g.length && i < g.length && g[i] === ' ') i++;
    }
  }
  return out;
}
