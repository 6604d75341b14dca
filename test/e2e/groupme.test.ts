/** A tube between a GroupMe group (real bot, fake GroupMe) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupMeBot } from '../../bots/groupme/index.js';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from './waitfor.js';

const alice = { id: '101', name: 'Alice' };

describe('GroupMe ↔ another room through the bridge', () => {
  let fake: FakeGroupMe | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
  });

  it('pairs from GroupMe with -sameroom and relays both ways', async () => {
    fake = await startFakeGroupMe();
    fake.addGroup('g1', 'Family');
    const port = await freePort();
    const gm = createGroupMeBot({ accessToken: fake.token, apiUrl: fake.apiUrl, imageUrl: fake.imageUrl, echoWaitMs: 2000 });
    const web = new TestBot('alpha');
    tb = await startTestBridge({ store: 'embedded', bots: [gm, web], env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });

    await fake.userPosts('g1', { user: alice, text: '-sameroom open' });
    await fake.settle();
    await waitFor(() => fake!.posted('g1').some((m) => m.text.includes('connect')));
    const answer = fake.posted('g1').at(-1)?.text ?? '';
    await web.says('lobby', 'Bob', `-sameroom connect ${codeIn(answer)}`);
    await tb.settle();
    expect(web.lines('lobby').at(-1)).toBe('bridge-bot: This room is now linked to Family (GroupMe): messages flow both ways. -sameroom list shows the links.');
    await waitFor(() => fake!.posted('g1').some((m) => m.text.startsWith('This room is now linked to #lobby')));

    await fake.userPosts('g1', { user: alice, text: 'dinner at 7?' });
    await fake.settle();
    await tb.settle();
    expect(web.lines('lobby').at(-1)).toBe('bridge-bot: Alice: dinner at 7?');

    await web.says('lobby', 'Bob', 'see you **there**');
    await tb.settle();
    await waitFor(() => fake!.posted('g1').some((m) => m.text === 'Bob: see you there'));
    // The bridge's own post came back to its callback as GroupMe does; it was not relayed again.
    await fake.settle();
    await tb.settle();
    expect(web.lines('lobby').filter((l) => l.includes('see you'))).toEqual(['Bob: see you there']);
  });
});
