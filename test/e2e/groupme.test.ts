/** A tube between a GroupMe group (real bot, fake GroupMe) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createGroupMeBot } from '../../bots/groupme/index.js';
import { toPlain } from '../../src/markup.js';
import { startFakeGroupMe } from '../fakes/groupme/server.js';
import { freePort } from '../helpers/redis-server.js';
import { copiesSent, copyOnWeb, deleteOnWeb, editOnWeb, useRig, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const alice = { id: '101', name: 'Alice' };

const rig = useRig();

/**
 * A fake GroupMe with the group Family, the real bot against it, and the bridge's environment:
 * GroupMe calls the bridge back, so the bridge listens on a port known in advance.
 */
async function groupMe(r: Rig) {
  const f = r.own(await startFakeGroupMe());
  f.addGroup('g1', 'Family');
  const port = await freePort();
  const bot = createGroupMeBot({ accessToken: f.token, apiUrl: f.apiUrl, imageUrl: f.imageUrl, echoWaitMs: 2000 });
  const env = { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
  /** Alice posts in the group; resolves once the fake called the bridge back. */
  const alicePosts = async (text: string): Promise<void> => {
    await f.userPosts('g1', { user: alice, text });
    await f.settle();
  };
  const texts = (): string[] => f.posted('g1').map((m) => m.text);
  return { f, bot, env, alicePosts, texts };
}

describe('GroupMe ↔ another room through the bridge', () => {
  it('pairs from GroupMe with -sameroom and relays both ways', async () => {
    const { f: fake, bot, env, alicePosts, texts } = await groupMe(rig);
    const lobby = await rig.lobby(bot, { impersonate: false, env });
    const { tb, other: web } = lobby;

    const { notice } = await lobby.pair({
      platform: 'GroupMe',
      open: () => alicePosts('-sameroom open'),
      answers: texts,
      linked: (t) => t.startsWith('This room is now linked to #lobby'),
    });
    expect(notice).toBe('bridge-bot: This room is now linked to Family (GroupMe): messages flow both ways. -sameroom list shows the links.');

    await alicePosts('dinner at 7?');
    await tb.settle();
    expect(web.lines('lobby').at(-1)).toBe('bridge-bot: Alice: dinner at 7?');

    await web.says('lobby', 'Bob', 'see you **there**');
    await tb.settle();
    await waitFor(() => fake.posted('g1').some((m) => m.text === 'Bob: see you there'));
    // The bridge's own post came back to its callback as GroupMe does; it was not relayed again.
    await fake.settle();
    await tb.settle();
    expect(web.lines('lobby').filter((l) => l.includes('see you'))).toEqual(['Bob: see you there']);
  });
});

describe('GroupMe ↔ a web room through the bridge', () => {
  it('pairs a web room with a GroupMe group and relays posts both ways (GroupMe has no edits or deletes)', async () => {
    const { f, bot, env, alicePosts, texts } = await groupMe(rig);
    const tb = await rig.web(bot, { env });

    // Pairing: `-sameroom open` typed in the web room, the code typed in the GroupMe group.
    const sam = await rig.webRoom(tb, {
      platform: 'GroupMe',
      room: 'Web desk',
      connect: (code) => alicePosts(`-sameroom connect ${code}`),
      answers: texts,
      linked: (t) => t === 'This room is now linked to Web desk (Web): messages flow both ways. -sameroom list shows the links.',
      notice: 'now linked to Family (GroupMe)',
    });

    // Web → GroupMe: GroupMe bots cannot impersonate, so the copy is prefixed; markup is flattened.
    const hello = await sam.post('see you **there**');
    await waitFor(() => texts().includes('Sam: see you there'), 10_000, 'copy in GroupMe');

    // GroupMe → web: shown under the GroupMe author's name.
    await alicePosts('dinner at 7?');
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice' } });
    expect(toPlain(shown.text)).toBe('dinner at 7?');

    // GroupMe cannot edit or delete: a web edit and delete change the web room only, and post nothing to GroupMe.
    const before = texts().length;
    await editOnWeb(sam, hello, 'see you later');
    await deleteOnWeb(sam, hello);
    await f.settle();
    await tb.settle();
    expect(texts()).toHaveLength(before);
    expect(texts().some((t) => t.includes('later'))).toBe(false);

    // The bridge's own post came back to its callback as GroupMe does; it was not relayed to the web room.
    expect(copiesSent(sam).map((m) => toPlain(m.text))).toEqual(['dinner at 7?']);
  });
});
