/** The fake enforces what Discord enforces, so a bot that gets these wrong fails its tests. */
import { Client, DiscordAPIError, Events, GatewayIntentBits, REST } from 'discord.js';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord/index.js';

let fake: FakeDiscord;
let rest: REST;
beforeEach(async () => {
  fake = await FakeDiscord.start();
  rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken(fake.token);
});
afterEach(async () => {
  rest.clearHashSweeper();
  rest.clearHandlerSweeper();
  await fake.close();
});

async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscordAPIError);
  return err as DiscordAPIError;
}

describe('fake discord', () => {
  it('refuses requests without the bot token', async () => {
    const anon = new REST({ api: fake.apiUrl, retries: 0 }).setToken('nope');
    const err = await apiError(anon.get(Routes.user()));
    anon.clearHashSweeper();
    anon.clearHandlerSweeper();
    expect(err.status).toBe(401);
  });

  it('refuses content over 2000 characters and empty messages', async () => {
    const long = await apiError(rest.post(Routes.channelMessages(fake.general.id), { body: { content: 'x'.repeat(2001) } }));
    expect([long.status, long.code]).toEqual([400, 50035]);
    const empty = await apiError(rest.post(Routes.channelMessages(fake.general.id), { body: { content: ' ' } }));
    expect([empty.status, empty.code]).toEqual([400, 50006]);
  });

  it('checks webhook tokens and webhook usernames', async () => {
    const hook = (await rest.post(Routes.channelWebhooks(fake.general.id), { body: { name: 'Sameroom' } })) as { id: string; token: string };
    const badToken = await apiError(rest.post(Routes.webhook(hook.id, 'wrong'), { auth: false, body: { content: 'x' } }));
    expect([badToken.status, badToken.code]).toEqual([401, 50027]);
    const badName = await apiError(rest.post(Routes.webhook(hook.id, hook.token), { auth: false, body: { content: 'x', username: 'my Discord' } }));
    expect([badName.status, badName.code]).toEqual([400, 50035]);
    const badHookName = await apiError(rest.post(Routes.channelWebhooks(fake.general.id), { body: { name: 'clyde' } }));
    expect(badHookName.status).toBe(400);
  });

  it('answers 403 / 50013 for webhooks where they are denied', async () => {
    fake.denyWebhooks(fake.random.id);
    const err = await apiError(rest.post(Routes.channelWebhooks(fake.random.id), { body: { name: 'Sameroom' } }));
    expect([err.status, err.code]).toEqual([403, 50013]);
  });

  it('lists channel messages newest first (limit, before, after), webhook posts with webhook_id and their username', async () => {
    const hook = (await rest.post(Routes.channelWebhooks(fake.general.id), { body: { name: 'Sameroom' } })) as { id: string; token: string };
    const thread = fake.addThread(fake.general.id, 'plans');
    const said = ['a', 'b', 'c', 'd'].map((t) => fake.userSays(fake.general.id, t).id);
    const copy = (await rest.post(Routes.webhook(hook.id, hook.token), {
      auth: false,
      query: new URLSearchParams({ wait: 'true' }),
      body: { content: 'e', username: 'Carol' },
    })) as APIMessage;
    const inThread = (await rest.post(Routes.webhook(hook.id, hook.token), {
      auth: false,
      query: new URLSearchParams({ wait: 'true', thread_id: thread.id }),
      body: { content: 'in thread', username: 'Dave' },
    })) as APIMessage;
    const list = async (q: Record<string, string>, channel = fake.general.id) =>
      ((await rest.get(Routes.channelMessages(channel), { query: new URLSearchParams(q) })) as APIMessage[]).map((m) => m.content);
    expect(await list({})).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await list({ limit: '2' })).toEqual(['e', 'd']);
    expect(await list({ before: said[2]!, limit: '1' })).toEqual(['b']);
    expect(await list({ after: said[0]!, limit: '2' })).toEqual(['c', 'b']);
    expect(await list({}, thread.id)).toEqual(['in thread']);
    const [latest] = (await rest.get(Routes.channelMessages(fake.general.id), { query: new URLSearchParams({ limit: '1' }) })) as APIMessage[];
    expect(latest).toMatchObject({ id: copy.id, webhook_id: hook.id, author: { id: hook.id, username: 'Carol', bot: true } });
    expect(inThread).toMatchObject({ channel_id: thread.id, webhook_id: hook.id, author: { username: 'Dave' } });
  });

  it('refuses message_reference to unknown messages unless fail_if_not_exists is false', async () => {
    const strict = await apiError(
      rest.post(Routes.channelMessages(fake.general.id), { body: { content: 'x', message_reference: { message_id: '1' } } }),
    );
    expect(strict.status).toBe(400);
    const lax = (await rest.post(Routes.channelMessages(fake.general.id), {
      body: { content: 'x', message_reference: { message_id: '1', fail_if_not_exists: false } },
    })) as APIMessage;
    expect(lax.message_reference).toBeUndefined();
  });

  it('sends empty content to a client without the Message Content intent', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: fake.apiUrl } });
    const seen: string[] = [];
    client.on(Events.Raw, (p: { t?: string; d?: { content?: string } }) => {
      if (p.t === 'MESSAGE_CREATE') seen.push(p.d?.content ?? '?');
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(fake.token);
    await ready;
    fake.userSays(fake.general.id, 'secret words');
    fake.userSays(fake.general.id, `hey <@${fake.bot.id}>`);
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    await client.destroy();
    expect(seen).toEqual(['', `hey <@${fake.bot.id}>`]);
  });
});
