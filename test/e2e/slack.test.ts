/** A tube between a Slack channel (real Bolt, fake Slack, Events API) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { seed } from '../slack/rig.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from './waitfor.js';

describe('Slack ↔ another room through the bridge', () => {
  let fake: FakeSlack | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
  });

  it('pairs from Slack, relays posts as the real author, threads, edits and deletes both ways', async () => {
    fake = await FakeSlack.start({ sharesInComplete: false });
    seed(fake);
    const slack = createSlackBot({ botToken: fake.botToken, apiUrl: fake.apiUrl, signingSecret: fake.signingSecret });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'redis', bots: [slack, other] });
    const deliver = async (event: Parameters<FakeSlack['events']['envelope']>[0]): Promise<void> => {
      const res = await fake!.postEvent(`${tb!.url}/slack/events`, fake!.events.envelope(event));
      expect(res.status).toBe(200);
    };
    const posted = (channel: string) => fake!.posts.filter((p) => p.channel === channel);

    await deliver(fake.events.message({ channel: 'C1', user: 'U1', text: '-sameroom open' }));
    await waitFor(() => posted('C1').some((p) => p.text.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(posted('C1').at(-1)?.text ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/now linked to #general on Acme \(Slack\)/);

    const msg = fake.events.message({ channel: 'C1', user: 'U1', text: 'hi *all* <!channel>' });
    await deliver(msg);
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice'), 10_000, 'copy in lobby');
    expect(other.lines('lobby').at(-1)?.replace(/\u200b/g, '')).toBe('Alice: hi all @channel');
    expect(other.room('lobby').at(-1)?.text).not.toMatch(/@channel/);

    await other.says('lobby', 'Bob', 'thanks @here');
    await tb.settle();
    const copy = posted('C1').at(-1);
    expect(copy).toMatchObject({ username: 'Bob', link_names: false });
    expect(copy?.text).not.toMatch(/<!here>|<!channel>/);

    const copyInLobby = other.room('lobby').find((m) => m.as === 'Alice')!;
    await other.says('lobby', 'Bob', 'in the thread', { replyTo: copyInLobby.id });
    await tb.settle();
    expect(posted('C1').at(-1)).toMatchObject({ text: 'in the thread', thread_ts: msg.ts });

    await deliver(fake.events.changed(msg, 'hi everyone (edited)'));
    await waitFor(() => other.room('lobby').some((m) => m.text === 'hi everyone \\(edited\\)'), 10_000, 'edit in lobby');
    await deliver(fake.events.deleted(msg));
    await waitFor(() => !other.room('lobby').some((m) => m.as === 'Alice'), 10_000, 'delete in lobby');

    const lobbyMsg = await other.says('lobby', 'Bob', 'to be edited');
    await tb.settle();
    await other.edits('lobby', lobbyMsg, 'edited in lobby');
    await tb.settle();
    expect(fake.state.updates.at(-1)?.text).toBe('edited in lobby');
    await other.deletes('lobby', lobbyMsg);
    await tb.settle();
    expect(fake.state.deletes).toHaveLength(1);
  });
});
