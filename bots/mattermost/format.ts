/**
 * Mattermost markdown ↔ canonical markup, pure functions.
 *
 * Mattermost speaks CommonMark-flavoured Markdown, a superset of canonical markup, so most text
 * passes through. Inbound, a backslash that CommonMark shows literally is doubled; outbound,
 * user text is backslash-escaped and mass mentions can never come out of rendering.
 */
import { markdownRenderer, render } from '../../src/markup.js';

const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/** Mattermost message → canonical markup. */
export function mattermostToCanonical(message: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const line of message.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.push(line.trimStart().replace(/^~~~/, '```'));
      continue;
    }
    out.push(fenced ? line : inlineToCanonical(line));
  }
  return out.join('\n');
}

function inlineToCanonical(line: string): string {
  // Code spans are literal in both; elsewhere a backslash before a non-punctuation character
  // is literal in CommonMark but would be an escape in canonical markup.
  return line
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/\\(.)?/g, (m, c: string | undefined) => (c !== undefined && ASCII_PUNCT.test(c) ? m : `\\\\${c ?? ''}`))
        .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1');
    })
    .join('');
}

/** Escape user text for Mattermost: marks, tables, and line-leading quote/heading/list signs. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\\`*_~[\]|<]/g, '\\$&')
    .replace(/^([ \t]*)([>#+-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)([.)])(?=[ \t]|$)/gm, '$1\\$2');
}

const renderer = markdownRenderer(escapeMarkdown);

const MASS = /(^|[^\w])([@!])((?:[*_~`\\]|\u200b)*)(channel|all|here|everyone)(?![a-zA-Z0-9])/gi;

/** Never let markup glue a sigil to a mass-mention word (`@**channel**`). */
export function defuseRendered(s: string): string {
  return s.replace(MASS, (m, pre: string, sigil: string, marks: string, word: string) =>
    marks.includes('\u200b') ? m : `${pre}${sigil}\u200b${marks}${word}`,
  );
}

/** Canonical markup → Mattermost message. */
export function canonicalToMattermost(text: string): string {
  return defuseRendered(render(text, renderer));
}
