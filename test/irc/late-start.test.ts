/** The IRC bot starts while its server is down and connects (and joins) once it is up. */
import { expect, it } from 'vitest';
import { createIrcBot } from '../../bots/irc/index.js';
import { createHarness } from '../helpers/bot-harness.js';
import { startNgircd } from '../servers/ngircd.js';

it('keeps retrying with backoff when the server is down at start', async () => {
  const server = await startNgircd();
  const harness = createHarness();
  const bot = createIrcBot({
    networks: [{ server: '127.0.0.1', port: server.port, tls: false, nick: 'sameroom', channels: ['#Late'] }],
    reconnect: { baseMs: 100, maxMs: 400 },
  });
  try {
    await server.stop();
    await bot.start(harness.ctx); // resolves: the bridge keeps running, the bot retries in the background
    expect(bot.channels('127.0.0.1')).toEqual([]);
    await new Promise((r) => setTimeout(r, 500)); // a few failed attempts
    await server.restart();
    await expect.poll(() => bot.channels('127.0.0.1'), { timeout: 10_000 }).toEqual(['#late']);
  } finally {
    await harness.close(bot);
    await server.close();
  }
});
