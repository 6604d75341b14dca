import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordBot, discordConfigFromEnv } from '../../bots/discord/index.js';
import type { InboundPost } from '../../src/model.js';
import { createHarness } from '../helpers/bot-harness.js';
import { FakeDiscord } from '../fakes/discord/index.js';
import { isPost, outbound, startRig, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('discord gateway', () => {
  it('resumes a dropped session and gets what was said meanwhile', async () => {
    rig = await startRig();
    const { fake, h } = rig;
    fake.dropGateway();
    const missed = fake.userSays(fake.general.id, 'said while the socket was down');
    await fake.gateway.connected(2);
    const after = fake.userSays(fake.general.id, 'said after the resume');
    await h.waitFor((x) => x.id === after.id);
    expect(h.events.map((e) => e.id)).toEqual([missed.id, after.id]);
    expect([fake.gateway.identifies, fake.gateway.resumes]).toEqual([1, 1]);
  });

  it('catches up on messages missed while stopped, oldest first, as the same events', async () => {
    rig = await startRig();
    const { fake, h } = rig;
    const seen = fake.userSays(fake.general.id, 'seen live');
    const thread = fake.addThread(fake.general.id, 'plans');
    const seenInThread = fake.userSays(thread.id, 'live in thread');
    await h.waitFor((x) => x.id === seenInThread.id);
    await rig.bot.stop();
    const missed = Array.from({ length: 130 }, (_, i) => fake.userSays(fake.general.id, `missed ${i}`));
    const missedInThread = fake.userSays(thread.id, 'missed in thread');
    fake.userSays(fake.random.id, 'never seen channel: no catch-up there');
    const before = h.events.length;
    await rig.restart(); // start() resolves after catch-up
    const caught = h.events.slice(before);
    expect(caught.map((e) => e.id)).toEqual([...missed.map((m) => m.id), missedInThread.id]);
    expect(caught.every((e) => e.eventId === e.id)).toBe(true);
    const last = caught[caught.length - 1] as InboundPost;
    expect(last.room).toEqual(rig.room(thread.id));
    expect(h.events.filter((e) => e.id === seen.id)).toHaveLength(1);
    // Live again: nothing is delivered twice.
    const live = fake.userSays(fake.general.id, 'live again');
    await h.waitFor((x) => x.id === live.id);
    expect(new Set(h.events.map((e) => e.id)).size).toBe(h.events.length);
  });

  it('registers the slash command under the configured command word', async () => {
    const fake = await FakeDiscord.start();
    const h = createHarness({ commandWord: 'bridge' });
    const bot = createDiscordBot({ token: fake.token, apiUrl: fake.apiUrl });
    try {
      await bot.start(h.ctx);
      expect(fake.commands.map((c) => c.name)).toEqual(['bridge']);
      const id = fake.slash(fake.general.id, 'list');
      const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === id);
      expect(e.text).toBe('-bridge list');
    } finally {
      await bot.stop();
      await h.close();
      await fake.close();
    }
  });

  it('stays off the gateway without the lease, still sends, and connects once it holds it', async () => {
    let held = false;
    rig = await startRig({ leaseHeld: () => held });
    const { fake, h, bot } = rig;
    expect(fake.gateway.identifies).toBe(0);
    expect(bot.connection()).toEqual({ up: false, reason: 'gateway session not ready' });
    const ids = await bot.send(outbound(rig.room(fake.general.id), 'sent without the gateway'));
    expect(ids).toHaveLength(1);
    held = true;
    await fake.gateway.connected(1);
    const m = fake.userSays(fake.general.id, 'now it listens');
    await h.waitFor((x) => x.id === m.id);
    expect(bot.connection()).toEqual({ up: true });
  });

  it('fails to start with a wrong token, without printing it', async () => {
    const fake = await FakeDiscord.start();
    const h = createHarness();
    const bot = createDiscordBot({ token: 'wrong.token.value', apiUrl: fake.apiUrl });
    try {
      const err: unknown = await bot.start(h.ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(String(err)).not.toContain('wrong.token.value');
      expect(fake.gateway.identifies).toBe(0);
    } finally {
      await bot.stop();
      await h.close();
      await fake.close();
    }
  });

  it('reads its config from the environment', () => {
    expect(discordConfigFromEnv({})).toBeUndefined();
    expect(discordConfigFromEnv({ DISCORD_TOKEN: ' t ' })).toEqual({ token: 't', apiUrl: 'https://discord.com/api' });
    expect(discordConfigFromEnv({ DISCORD_TOKEN: 't', DISCORD_API_URL: 'http://127.0.0.1:1/api' })).toEqual({ token: 't', apiUrl: 'http://127.0.0.1:1/api' });
  });
});
