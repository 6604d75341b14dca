/** A tube between a Teams channel (the Agents SDK against the fake connector) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createTeamsBot } from '../../bots/teams/index.js';
import { toPlain } from '../../src/markup.js';
import { FakeTeams, teamsUser } from '../fakes/teams/teams.js';
import type { TestBridge } from '../helpers/bridge-harness.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A fake Teams with Alice Example in General, and the real bot; `reach(tb)` points the connector at that bridge. */
async function teams(r: Rig) {
  const f = r.own(await FakeTeams.start({ appId: '' }));
  const bot = createTeamsBot({ appId: '', allowUnauthenticated: true });
  const reach = (tb: TestBridge): void => {
    f.botEndpoint = `${tb.url}/api/messages`;
  };
  const chan = f.channel('General');
  const alice = teamsUser('Alice Example');
  const botActivities = () => f.connector.live(chan.id).filter((a) => a.from?.id === f.bot.id);
  const botPosts = (): string[] => botActivities().map((a) => a.text ?? '');
  return { f, bot, reach, chan, alice, botActivities, botPosts };
}

describe('Teams ↔ another room through the bridge', () => {
  it('pairs with @Sameroom in a channel and relays posts, edits and deletes both ways', async () => {
    const { f: fake, bot, reach, chan, alice, botPosts } = await teams(rig);
    const lobby = await rig.lobby(bot, { impersonate: false });
    const { tb, other } = lobby;
    reach(tb);

    const { notice } = await lobby.pair({
      platform: 'Teams',
      open: async () => {
        await fake.deliver(fake.message(chan, alice, { text: 'open', mention: true }));
        await tb.settle();
      },
      answers: botPosts,
      linked: false,
    });
    expect(notice).toMatch(/now linked to .*General.* \(Teams\)/);

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

describe('Teams ↔ a web room through the bridge', () => {
  it('pairs a web room with a Teams channel and relays posts, edits and deletes both ways', async () => {
    const { f, bot, reach, chan, alice, botActivities, botPosts } = await teams(rig);
    const tb = await rig.web(bot);
    reach(tb);

    // Pairing: `-sameroom open` typed in the web room, `@Sameroom connect <code>` in the channel.
    const sam = await rig.webRoom(tb, {
      platform: 'Teams',
      room: 'Web desk',
      connect: async (code) => {
        await f.deliver(f.message(chan, alice, { text: `connect ${code}`, mention: true }));
        await tb.settle();
      },
      answers: botPosts,
      notice: /now linked to .*General.* \(Teams\)/,
    });

    // Web → Teams: Teams bots cannot impersonate, so the copy is prefixed with the author's name.
    const hello = await sam.post('hi **Teams** <b>');
    await waitFor(() => botPosts().some((t) => t.startsWith('<b>Sam</b>:')), 10_000, 'copy in Teams');
    const copy = botActivities().at(-1)!;
    expect(copy.text).toBe('<b>Sam</b>: hi <b>Teams</b> &lt;b&gt;');
    const copyText = (): string | undefined => botActivities().find((a) => a.id === copy.id)?.text;

    // Teams → web: shown under the Teams author's name.
    const hi = f.message(chan, alice, { text: 'hello from Teams', mention: true });
    await f.deliver(hi);
    await tb.settle();
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice Example' } });
    expect(toPlain(shown.text)).toBe('hello from Teams');

    // Edits both ways.
    await editOnWeb(sam, hello, 'hi _Teams_');
    await waitFor(() => copyText() === '<b>Sam</b>: hi <i>Teams</i>', 10_000, 'edit in Teams');
    await f.deliver(f.edit(chan, hi, 'hello again'));
    const edited = await updateOnWeb(sam, shown);
    expect(toPlain(edited.message.text)).toBe('hello again');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice Example' } });

    // Deletes both ways.
    await deleteOnWeb(sam, hello);
    await waitFor(() => copyText() === undefined, 10_000, 'delete in Teams');
    await f.deliver(f.remove(chan, hi));
    await deletionOnWeb(sam, shown);

    await tb.settle();
    expect(copiesSent(sam).map((m) => m.author.name)).toEqual(['Alice Example']);
  });
});
