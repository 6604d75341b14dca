/** A tube between a Teams channel (real botbuilder, fake connector) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTeamsBot } from '../../bots/teams/index.js';
import { FakeTeams, teamsUser } from '../fakes/teams/teams.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from './waitfor.js';

describe('Teams ↔ another room through the bridge', () => {
  let fake: FakeTeams | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
  });

  it('pairs with @Sameroom in a channel and relays posts, edits and deletes both ways', async () => {
    fake = await FakeTeams.start({ appId: '' });
    const teams = createTeamsBot({ appId: '', allowUnauthenticated: true });
    const other = new TestBot('alpha');
    tb = await startTestBridge({ store: 'embedded', bots: [teams, other] });
    fake.botEndpoint = `${tb.url}/api/messages`;
    const chan = fake.channel('General');
    const alice = teamsUser('Alice Example');
    const botPosts = (): string[] => fake!.connector.live(chan.id).filter((a) => a.from?.id === fake!.bot.id).map((a) => a.text ?? '');

    await fake.deliver(fake.message(chan, alice, { text: 'open', mention: true }));
    await tb.settle();
    await waitFor(() => botPosts().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(botPosts().at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/now linked to .*General.* \(Teams\)/);

    const hello = fake.message(chan, alice, { text: 'hello from Teams', mention: true });
    await fake.deliver(hello);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toBe('bridge-bot: Alice Example: hello from Teams');

    await fake.deliver(fake.edit(chan, hello, 'hello again'));
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toBe('bridge-bot: Alice Example: hello again');
    await fake.deliver(fake.remove(chan, hello));
    await tb.settle();
    expect(other.lines('lobby').some((l) => l.includes('hello again'))).toBe(false);

    const mine = await other.says('lobby', 'Bob', 'hi <b>Teams</b>');
    await tb.settle();
    expect(botPosts().at(-1)).toBe('<b>Bob</b>: hi &lt;b&gt;Teams&lt;/b&gt;');
    await other.edits('lobby', mine, 'hi _Teams_');
    await tb.settle();
    expect(botPosts().at(-1)).toBe('<b>Bob</b>: hi <i>Teams</i>');
    await other.deletes('lobby', mine);
    await tb.settle();
    expect(botPosts().some((t) => t.includes('Teams</i>'))).toBe(false);
  });
});
