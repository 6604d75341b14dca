/**
 * `/privacy` and `/terms`: the pages a Teams app (and a careful operator) links to. The text is
 * the operator's: PRIVACY_FILE and TERMS_FILE name plain-text files (blank lines between
 * paragraphs, `{{PUBLIC_URL}}` replaced); without them a short default describes what the bridge
 * does with messages.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const DEFAULT_PRIVACY = `This bridge copies messages between the chat rooms that were linked with "-sameroom connect". What it handles, and only to do that:

Messages posted in linked rooms: their text, files up to the size limit, the author's display name and avatar. Copies are posted in the other linked rooms.

For each copied message, the ids of its copies, so that edits, deletes and replies follow it; messages and files of web chat rooms; and a security log per workspace of who linked or unlinked rooms.

It does not sell or share this data with anyone but the chat services of the linked rooms, and it does not use it for anything else. Remove a link with "-sameroom close" or "-sameroom disable". Questions: ask the operator of {{PUBLIC_URL}}.`;

const DEFAULT_TERMS = `This bridge at {{PUBLIC_URL}} copies messages between linked chat rooms as a service of its operator, as is and without warranty.

Link only rooms whose members may see each other's messages, and follow the rules of every chat service involved. The operator may remove links, rooms or messages that break these terms or the law.`;

function page(title: string, text: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${esc(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head>\n<body><h1>${esc(title)}</h1>\n${paragraphs}\n</body></html>\n`;
}

/** The text of one page: the operator's file, or the default. A file that cannot be read stops the start. */
function text(env: NodeJS.ProcessEnv, key: string, fallback: string, publicUrl: string): string {
  const file = env[key]?.trim();
  let body = fallback;
  if (file) {
    try {
      body = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new Error(`${key}: cannot read "${file}" (${code})`, { cause: err });
    }
  }
  return body.replaceAll('{{PUBLIC_URL}}', publicUrl);
}

export function mountLegal(http: FastifyInstance, env: NodeJS.ProcessEnv, publicUrl: string): void {
  const pages = {
    '/privacy': page('Privacy', text(env, 'PRIVACY_FILE', DEFAULT_PRIVACY, publicUrl)),
    '/terms': page('Terms of use', text(env, 'TERMS_FILE', DEFAULT_TERMS, publicUrl)),
  };
  for (const [path, html] of Object.entries(pages)) {
    http.get(path, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'")
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(html),
    );
  }
}
