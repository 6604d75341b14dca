/**
 * `.env.example` and the README's key tables, generated from the declarations (the core's
 * CORE_ENV and every platform descriptor), so they cannot drift. `npx tsx bots/env-docs.ts`
 * rewrites both; test/core/env-docs.test.ts fails when they are out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CORE_ENV } from '../src/config.js';
import type { EnvKey } from '../src/env.js';
import type { PlatformDescriptor } from '../src/platform.js';
import { PLATFORMS } from './index.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** One markdown table of keys. */
export function keyTable(keys: readonly EnvKey[]): string {
  const rows = keys.map((k) => {
    const flags = [k.required ? 'required' : '', k.secret ? 'secret' : ''].filter(Boolean).join(', ');
    return `| \`${k.key}\` | ${k.default !== undefined && k.default !== '' ? `\`${cell(k.default)}\`` : '—'} | ${cell(k.doc)}${flags ? ` (${flags})` : ''} |`;
  });
  return ['| key | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function block(keys: readonly EnvKey[]): string[] {
  return keys.flatMap((k) => [`# ${k.doc.replace(/`/g, '')}${k.required ? ' (required)' : ''}`, `${k.key}=${k.secret ? '' : (k.default ?? '')}`]);
}

/** The whole `.env.example`. */
export function envExample(platforms: readonly PlatformDescriptor[] = PLATFORMS): string {
  const out = [
    '# Sameroom configuration, generated from the declared keys (npx tsx bots/env-docs.ts).',
    '# Copy to .env and fill in what you use; everything is optional. With nothing set, `npm start`',
    '# runs the built-in web platform on the embedded store.',
    '',
    '# --- the core',
    ...block(CORE_ENV),
  ];
  for (const p of platforms) {
    if (p.env.length === 0) continue;
    out.push('', `# --- ${p.displayName}${p.enabledBy.length ? `: on when ${p.enabledBy.join(' or ')} is set` : ' (built in, always on)'}`, ...block(p.env));
  }
  return `${out.join('\n')}\n`;
}

const START = (name: string): string => `<!-- keys:${name} (generated: npx tsx bots/env-docs.ts) -->`;
const END = '<!-- /keys -->';

/** The README with every `keys:` block regenerated; throws on a block that names no known table. */
export function renderReadme(readme: string, platforms: readonly PlatformDescriptor[] = PLATFORMS): string {
  const tables = new Map<string, readonly EnvKey[]>([['core', CORE_ENV], ...platforms.map((p) => [p.name, p.env] as const)]);
  return readme.replace(/<!-- keys:([a-z]+) [^>]*-->\n[\s\S]*?<!-- \/keys -->/g, (_all, name: string) => {
    const keys = tables.get(name);
    if (!keys) throw new Error(`README: no key table named ${name}`);
    return `${START(name)}\n${keyTable(keys)}\n${END}`;
  });
}

/** Names of the README's generated blocks, in order. */
export function readmeBlocks(readme: string): string[] {
  return [...readme.matchAll(/<!-- keys:([a-z]+) /g)].map((m) => m[1] ?? '');
}

if (process.argv[1]?.endsWith('env-docs.ts')) {
  const root = new URL('..', import.meta.url);
  writeFileSync(new URL('.env.example', root), envExample());
  const path = new URL('README.md', root);
  writeFileSync(path, renderReadme(readFileSync(path, 'utf8')));
}
