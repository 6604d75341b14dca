/** The key tables, `.env.example` and the start-up hint cannot drift from the declared keys. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../bots/index.js';
import { envExample, readmeBlocks, renderReadme } from '../../bots/env-docs.js';
import { CORE_ENV, loadConfig } from '../../src/config.js';
import { ConfigErrors, enableHint, loadPlatforms } from '../../src/platform.js';

const root = join(import.meta.dirname, '..', '..');
const read = (f: string): string => readFileSync(join(root, f), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('declared environment keys', () => {
  const declared = new Set([...CORE_ENV, ...PLATFORMS.flatMap((p) => p.env)].map((k) => k.key));

  it('the README key tables are the generated ones, one per platform and one for the core', () => {
    const readme = read('README.md');
    expect(renderReadme(readme)).toBe(readme);
    expect(readmeBlocks(readme).sort()).toEqual(['core', ...PLATFORMS.map((p) => p.name)].sort());
  });

  it('.env.example is the generated one and lists every declared key', () => {
    const example = read('.env.example');
    expect(example).toBe(envExample());
    const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...declared].filter((k) => !listed.has(k))).toEqual([]);
  });

  it('every env key the code reads is declared by the core or a platform', () => {
    const read_: string[] = [];
    for (const file of [...sources('src'), ...sources('bots')]) {
      const text = read(file);
      for (const m of text.matchAll(/\b(?:env|process\.env)(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)) read_.push(m[1] ?? m[2] ?? '');
      for (const m of text.matchAll(/\.(?:str|num|bool|list|isSet)\('([A-Z][A-Z0-9_]+)'\)/g)) read_.push(m[1] ?? '');
    }
    expect(read_.length).toBeGreaterThan(40);
    expect([...new Set(read_)].filter((k) => !declared.has(k))).toEqual([]);
  });

  it('the start-up hint names what is required, never a key with a default', () => {
    const hints = Object.fromEntries(PLATFORMS.map((p) => [p.name, enableHint(p)]));
    expect(hints.irc).toBe('IRC_SERVER');
    expect(hints.slack).toBe('SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET or SLACK_APP_TOKEN');
    expect(hints.xmpp).toBe('XMPP_SERVICE + XMPP_USERNAME + XMPP_PASSWORD');
    for (const p of PLATFORMS) {
      for (const k of p.env.filter((x) => x.default !== undefined)) expect(hints[p.name]).not.toContain(k.key);
    }
  });

  it('reports every bad key at once, naming each and showing no secret', async () => {
    const config = loadConfig({ PORT: '0', DATA_DIR: '/nonexistent', IRC_SERVER: 'irc.example.org', IRC_PORT: 'seventy', XMPP_USERNAME: 'bot', XMPP_PASSWORD: 'hunter2-secret', GROUPME_ACCESS_TOKEN: 'tok', GROUPME_SYNC_INTERVAL_MS: 'soon' });
    const err = await loadPlatforms(PLATFORMS, config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigErrors);
    const errors = (err as ConfigErrors).errors;
    expect(errors.join('\n')).toMatch(/IRC_PORT/);
    expect(errors.join('\n')).toMatch(/XMPP_SERVICE is required/);
    expect(errors.join('\n')).toMatch(/GROUPME_SYNC_INTERVAL_MS/);
    expect(errors.join('\n')).not.toContain('hunter2-secret');
  });

  it('with only the web chat configured, only the web bot is created', async () => {
    const config = loadConfig({ PORT: '0', DATA_DIR: '/nonexistent' });
    const { bots, missing } = await loadPlatforms(PLATFORMS, config);
    expect(bots.map((b) => b.platform)).toEqual(['web']);
    expect(missing).toHaveLength(PLATFORMS.length - 1);
  });
});
