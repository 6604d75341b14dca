/**
 * End to end through the real SDKs: a message posted by a user in the Discord fake reaches the
 * bridge through discord.js (gateway WebSocket), is relayed, and is posted into a Telegram group
 * of the Telegram fake by node-telegram-bot-api (HTTP). Latency is from the fake dispatching the
 * user's message to the fake storing the bot's copy; then a burst shows the rate.
 */
import { createCommandRunner } from '../commands/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDiscordBot } from '../bots/discord/index.js';
import { createTelegramBot } from '../bots/telegram/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { buildBridge } from '../src/setup.js';
import { FakeDiscord } from '../test/fakes/discord/index.js';
import { startFakeTelegram } from '../test/fakes/telegram/index.js';
import type { StoredMessage } from '../test/fakes/telegram/world.js';
import { codeIn } from '../test/helpers/pairing.js';
import { clock, summarize, until, type Summary } from './stats.js';

export interface SdkRow {
  readonly store: string;
  readonly messages: number;
  readonly latency: Summary;
  readonly burst: number;
  readonly burstPerSec: number;
}

export async function sdkBench(store: 'embedded' | 'redis', redisUrl: string, messages: number, burst: number): Promise<SdkRow> {
  const discordFake = await FakeDiscord.start();
  const telegramFake = await startFakeTelegram();
  const dataDir = mkdtempSync(join(tmpdir(), 'sr-bench-sdk-'));
  const config = loadConfig({
    PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, REDIS_PREFIX: `s${randomBytes(3).toString('hex')}:`, LEASE_MS: '1000',
    ...(store === 'redis' ? { REDIS_URL: redisUrl } : {}),
  });
  const discord = createDiscordBot({ token: discordFake.token, apiUrl: discordFake.apiUrl, leasePollMs: 20 });
  const telegram = createTelegramBot({ token: telegramFake.token, apiUrl: telegramFake.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 });
  const bridge = buildBridge(config, createLogger('silent'), [discord, telegram], createCommandRunner(), { leaseMs: 1000 });
  const chat = telegramFake.world.group('Bench');
  const general = discordFake.general.id;

  // Arrival of each copy in Telegram, by its text.
  const arrived = new Map<string, number>();
  const world = telegramFake.world;
  const storeMessage = world.store.bind(world);
  world.store = (message, fromBot, extra): StoredMessage => {
    const stored = storeMessage(message, fromBot, extra);
    const text = message.text ?? '';
    if (fromBot && text.includes('bench-')) arrived.set(text.slice(text.indexOf('bench-')), clock());
    return stored;
  };

  try {
    await bridge.start();
    await bridge.http.listen({ port: 0, host: '127.0.0.1' });
    const answers = (): string[] => discordFake.posted(general).filter((p) => p.via === 'bot').map((p) => p.message.content);
    discordFake.userSays(general, '-sameroom open');
    await until(() => answers().some((t) => t.includes('connect')), 20_000, 'the open answer in Discord');
    telegramFake.userSays(chat.id, `/sameroom connect ${codeIn(answers().find((t) => t.includes('connect')) ?? '')}`);
    const tg = (): string[] => telegramFake.botMessages(chat.id).map((m) => m.html ?? '');
    await until(() => tg().some((t) => t.includes('now linked')), 20_000, 'the connect answer in Telegram');

    const send = (tag: string): number => {
      const t = clock();
      discordFake.userSays(general, tag);
      return t;
    };
    // Warm-up.
    for (let i = 0; i < 5; i++) {
      const tag = `bench-w${i}`;
      send(tag);
      await until(() => arrived.has(tag), 20_000, `copy ${tag}`);
    }
    // One message at a time.
    const lat: number[] = [];
    for (let i = 0; i < messages; i++) {
      const tag = `bench-${i}`;
      const t0 = send(tag);
      await until(() => arrived.has(tag), 20_000, `copy ${tag}`);
      lat.push((arrived.get(tag) ?? 0) - t0);
    }
    // A burst: all at once.
    const t0 = clock();
    for (let i = 0; i < burst; i++) send(`bench-b${i}`);
    await until(() => [...Array(burst).keys()].every((i) => arrived.has(`bench-b${i}`)), 120_000, 'the burst');
    const last = Math.max(...[...Array(burst).keys()].map((i) => arrived.get(`bench-b${i}`) ?? 0));
    return { store, messages, latency: summarize(lat), burst, burstPerSec: Math.round(burst / ((last - t0) / 1000)) };
  } finally {
    await bridge.stop(2000).catch(() => undefined);
    await telegramFake.close();
    await discordFake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
