/**
 * Shaping a copy for its target: author prefix (where the target cannot post under another
 * name), reply quote (where it has no replies), links for files it cannot take, mass mentions
 * defused, and the text split to the target's limit. Pure functions.
 */
import { defuseMentions, escapeText, splitText } from './markup.js';
import type { Capabilities, StoredFile } from './model.js';
import type { AuthorFormat } from './rooms.js';

export function authorPrefix(name: string, format: AuthorFormat): string {
  const n = escapeText(name.replace(/\s+/g, ' ').trim() || 'someone');
  switch (format) {
    case 'bold':
      return `**${n}**: `;
    case 'plain':
      return `${n}: `;
    case 'brackets':
      return `\\[${n}\\] `;
    case 'none':
      return '';
  }
}

export interface CopyInput {
  readonly authorName: string;
  readonly text: string;
  readonly attachments: readonly StoredFile[];
  readonly format: AuthorFormat;
  readonly action?: boolean;
  /** quote to show above the text when the target cannot show a real reply */
  readonly quote?: { readonly authorName: string; readonly excerpt: string };
}

export interface ShapedCopy {
  readonly chunks: string[];
  /** files to upload (the rest became links in the text) */
  readonly files: StoredFile[];
}

export function shapeCopy(input: CopyInput, caps: Capabilities): ShapedCopy {
  const files = input.attachments.filter((f) => f.size <= caps.maxFileBytes);
  const links = input.attachments.filter((f) => f.size > caps.maxFileBytes).map((f) => `📎 [${escapeText(f.name)}](${f.url})`);
  let body = input.text;
  if (input.action) body = `_${escapeText(input.authorName)} ${body}_`;
  else if (!caps.impersonate) body = authorPrefix(input.authorName, input.format) + body;
  if (input.quote) {
    const excerpt = input.quote.excerpt.replace(/\s+/g, ' ').slice(0, 120);
    body = `> ${escapeText(input.quote.authorName)}: ${escapeText(excerpt)}\n${body}`;
  }
  if (links.length > 0) body = body ? `${body}\n${links.join('\n')}` : links.join('\n');
  const text = defuseMentions(body);
  return { chunks: text ? splitText(text, caps.maxTextLength) : [''], files };
}
