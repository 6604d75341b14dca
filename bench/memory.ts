/**
 * Resident memory of one bridge process: idle with every platform configured (each pointed at
 * its local fake, or at a real local server for IRC and XMPP), then after relaying messages
 * through it. The process holds nothing per message on either store (the embedded store keeps its
 * data in its SQLite file), so memory must stay flat (only caches with fixed bounds).
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FakeDiscord } from '../test/fakes/discord/index.js';
import { startFakeGroupMe } from '../test/fakes/groupme/server.js';
import { FakeMatrix } from '../test/fakes/matrix/server.js';
import { FakeMattermost } from '../test/fakes/mattermost/server.js';
import { FakeRocketChat } from '../test/fakes/rocketchat/server.js';
import { FakeSlack } from '../test/fakes/slack/index.js';
import { startFakeTelegram } from '../test/fakes/telegram/index.js';
import { freePort } from '../test/helpers/redis-server.js';
import { startNgircd } from '../test/servers/ngircd.js';
import { startProsody } from '../test/servers/prosody.js';
import type { Memory, MemoryHostApi } from './memory-host.js';
import { Child } from './rpc.js';
import { round } from './stats.js';

export interface MemoryRow {
  readonly store: string;
  readonly stage: string;
  readonly messages: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
}

export interface MemoryResult {
  readonly platforms: string[];
  /** platforms whose fake or server could not be started here */
  readonly skipped: string[];
  readonly rows: MemoryRow[];
}

export interface Backend {
  readonly platform: string;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Start every platform's fake (or local server) that can run here. */
export async function backends(log: (s: string) => void): Promise<{ up: Backend[]; skipped: string[] }> {
  const up: Backend[] = [];
  const skipped: string[] = [];
  const attempt = async (platform: string, start: () => Promise<Backend>): Promise<void> => {
    try {
      up.push(await start());
    } catch (err) {
      skipped.push(platform);
      log(`memory: ${platform} not configured (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    }
  };
  await attempt('discord', async () => {
    const f = await FakeDiscord.start();
    return { platform: 'discord', env: { DISCORD_TOKEN: f.token, DISCORD_API_URL: f.apiUrl }, close: () => f.close() };
  });
  await attempt('telegram', async () => {
    const f = await startFakeTelegram();
    return { platform: 'telegram', env: { TELEGRAM_TOKEN: f.token, TELEGRAM_API_URL: f.apiRoot }, close: () => f.close() };
  });
  await attempt('slack', async () => {
    const f = await FakeSlack.start();
    return { platform: 'slack', env: { SLACK_BOT_TOKEN: f.botToken, SLACK_SIGNING_SECRET: f.signingSecret, SLACK_API_URL: f.apiUrl }, close: () => f.close() };
  });
  await attempt('groupme', async () => {
    const f = await startFakeGroupMe();
    return { platform: 'groupme', env: { GROUPME_ACCESS_TOKEN: f.token, GROUPME_API_URL: f.apiUrl, GROUPME_IMAGE_URL: f.imageUrl }, close: () => f.close() };
  });
  // Teams has no connection to open until an activity arrives: configured without a fake.
  up.push({ platform: 'teams', env: { TEAMS_APP_ID: '', TEAMS_ALLOW_UNAUTHENTICATED: 'true' }, close: async () => undefined });
  await attempt('matrix', async () => {
    const f = await new FakeMatrix().start();
    return { platform: 'matrix', env: { MATRIX_HOMESERVER_URL: f.url, MATRIX_ACCESS_TOKEN: f.botToken }, close: () => f.close() };
  });
  await attempt('mattermost', async () => {
    const f = await new FakeMattermost().start();
    return { platform: 'mattermost', env: { MATTERMOST_URL: f.url, MATTERMOST_TOKEN: f.botToken }, close: () => f.close() };
  });
  await attempt('rocketchat', async () => {
    const f = await new FakeRocketChat().start();
    return { platform: 'rocketchat', env: { ROCKETCHAT_URL: f.url, ROCKETCHAT_USER_ID: f.bot._id, ROCKETCHAT_AUTH_TOKEN: f.bot.token }, close: () => f.close() };
  });
  await attempt('irc', async () => {
    const s = await startNgircd();
    return { platform: 'irc', env: { IRC_SERVER: s.host, IRC_PORT: String(s.port), IRC_TLS: 'false', IRC_NICK: 'sameroom' }, close: () => s.close() };
  });
  await attempt('xmpp', async () => {
    const s = await startProsody({ users: { bridge: 'bridge-pw' } });
    return {
      platform: 'xmpp',
      env: { XMPP_SERVICE: s.service, XMPP_DOMAIN: s.domain, XMPP_USERNAME: 'bridge', XMPP_PASSWORD: 'bridge-pw', XMPP_MUC_DOMAIN: s.mucDomain },
      close: () => s.close(),
    };
  });
  return { up, skipped };
}

const mib = (b: number): number => round(b / 1048576, 1);

export async function memoryBench(redisUrl: string, messages: number, quick: boolean, log: (s: string) => void): Promise<MemoryResult> {
  const { up, skipped } = await backends(log);
  const rows: MemoryRow[] = [];
  let platforms: string[] = [];
  try {
    // --quick: Redis only (the embedded store at scale is the embedded section's).
    for (const store of quick ? (['redis'] as const) : (['redis', 'embedded'] as const)) {
      const dataDir = mkdtempSync(join(tmpdir(), 'sr-bench-mem-'));
      const port = await freePort();
      const env: Record<string, string> = {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        REDIS_PREFIX: `m${randomBytes(3).toString('hex')}:`,
        ...(store === 'redis' ? { REDIS_URL: redisUrl } : { REDIS_URL: '' }),
        ...Object.assign({}, ...up.map((b) => b.env)),
      };
      const host = Child.spawn<MemoryHostApi>(join(import.meta.dirname, 'memory-host.ts'), env);
      try {
        platforms = (await host.call('start')).platforms.filter((p) => p !== 'src' && p !== 'dst');
        await new Promise((r) => setTimeout(r, quick ? 500 : 2000)); // connections settle
        const row = (stage: string, n: number, m: Memory): void => {
          rows.push({ store, stage, messages: n, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed) });
          log(`memory (${store}): ${stage}: RSS ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} MiB`);
        };
        row('idle', 0, await host.call('measure'));
        // Warm-up (JIT, pools), then the measured halves.
        await host.call('relay', { messages: Math.min(2000, messages / 10), groups: 32 });
        row('warm', 0, await host.call('measure'));
        await host.call('relay', { messages: messages / 2, groups: 32 });
        row(`after ${messages / 2}`, messages / 2, await host.call('measure'));
        await host.call('relay', { messages: messages / 2, groups: 32 });
        row(`after ${messages}`, messages, await host.call('measure'));
        await host.call('stop');
      } finally {
        await host.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const b of up) await b.close().catch(() => undefined);
  }
  return { platforms, skipped, rows };
}
