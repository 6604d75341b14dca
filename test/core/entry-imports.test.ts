/**
 * A process that configures no chat platform (web chat only) loads no platform SDK: the
 * descriptors are light and each bot is imported only when its platform is configured.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../e2e/waitfor.js';
import { startChildBridge, type ChildBridge } from '../helpers/child-bridge.js';

const SDKS = ['discord.js', '@slack/bolt', '@slack/web-api', 'node-telegram-bot-api', 'irc-framework', '@xmpp/client', 'botbuilder'];
const PLATFORM_BOTS = ['discord', 'slack', 'telegram', 'groupme', 'teams', 'irc', 'xmpp', 'matrix', 'mattermost', 'rocketchat'];

describe('the entry point', () => {
  let child: ChildBridge | undefined;
  afterEach(async () => {
    if (child && child.proc.exitCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
    child = undefined;
  });

  it('loads no platform SDK and no platform bot when only web chat is on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sameroom-imports-'));
    const record = join(dir, 'imports.txt');
    child = startChildBridge({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'info', RECORD_IMPORTS: record }, ['--import', join(import.meta.dirname, '..', 'helpers', 'record-imports.mjs')]);
    await waitFor(() => /Sameroom \S+ on http/.test(child?.output() ?? ''), 60_000, 'the bridge to start');
    child.kill('SIGTERM');
    const code = await child.exited;
    expect(code, child.output()).toBe(0);
    const urls = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    // The recorder works: the entry, the web bot and the core's own libraries are in the list.
    expect(urls.some((u) => u.endsWith('/bots/web/index.ts'))).toBe(true);
    expect(urls.some((u) => u.includes('/node_modules/fastify/'))).toBe(true);
    const sdks = urls.filter((u) => SDKS.some((p) => u.includes(`/node_modules/${p}/`)));
    expect(sdks, 'platform SDKs loaded').toEqual([]);
    const bots = urls.filter((u) => PLATFORM_BOTS.some((p) => u.includes(`/bots/${p}/`) && !u.endsWith(`/bots/${p}/descriptor.ts`) && !u.endsWith(`/bots/${p}/config.ts`)));
    expect(bots).toEqual([]);
  }, 120_000);
});
