/** The XMPP bot starts while its server is down and connects (and joins) once it is up. */
import { expect, it } from 'vitest';
import { createXmppBot } from '../../bots/xmpp/index.js';
import { createHarness } from '../helpers/bot-harness.js';
import { startProsody } from '../servers/prosody.js';

it('keeps retrying with backoff when the server is down at start', async () => {
  const server = await startProsody({ users: { bridge: 'pw' } });
  const harness = createHarness();
  const bot = createXmppBot({
    service: server.service,
    domain: 'localhost',
    username: 'bridge',
    password: 'pw',
    mucDomain: 'muc.localhost',
    rooms: ['Late'],
    reconnect: { baseMs: 100, maxMs: 400 },
  });
  try {
    await server.stop();
    await bot.start(harness.ctx);
    expect(bot.rooms()).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    await server.restart();
    await expect.poll(() => bot.rooms(), { timeout: 10_000 }).toEqual(['late@muc.localhost']);
  } finally {
    await harness.close(bot);
    await server.close();
  }
});

it('refuses to start with a wrong password', async () => {
  const server = await startProsody({ users: { bridge: 'pw' } });
  const harness = createHarness();
  const bot = createXmppBot({ service: server.service, domain: 'localhost', username: 'bridge', password: 'wrong' });
  try {
    await expect(bot.start(harness.ctx)).rejects.toThrow(/login as bridge failed/);
  } finally {
    await harness.close(bot);
    await server.close();
  }
});
