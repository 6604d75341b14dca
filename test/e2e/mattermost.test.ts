/** A tube between a Mattermost channel (real bot, fake server) and a test-platform room, both ways, on Redis. */
import { describe, expect, it } from 'vitest';
import { createMattermostBot } from '../../bots/mattermost/index.js';
import type { Post } from '../fakes/mattermost/model.js';
import { FakeMattermost } from '../fakes/mattermost/server.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A fake Mattermost with Alice in Town Square, and the real bot against it; `ready()` once its websocket is in. */
async function mattermost(r: Rig) {
  const f = r.own(await new FakeMattermost().start());
  const alice = f.addUser('alice', { first_name: 'Alice', last_name: 'Liddell' });
  const town = f.addChannel('town-square', [alice]);
  const bot = createMattermostBot({ url: f.url, token: f.botToken, retryMs: 10 });
  const ready = () => waitFor(() => f.hub.authenticated === 1, 10_000, 'the websocket to authenticate');
  const byBot = (): Post[] => f.postsIn(town).filter((p) => p.user_id === f.bot.id);
  const answers = (): string[] => byBot().filter((p) => p.props.from_webhook === undefined).map((p) => p.message);
  const copies = (): Post[] => byBot().filter((p) => p.props.from_webhook === 'true');
  return { f, alice, town, bot, ready, answers, copies };
}

describe('Mattermost ↔ another room through the bridge', () => {
  it('pairs from Mattermost, relays posts under the author name, threads, edits and deletes both ways, never pings', async () => {
    const { f, alice, town, bot, ready, answers, copies } = await mattermost(rig);
    const lobby = await rig.lobby(bot, { store: 'redis' });
    const { tb, other } = lobby;
    await ready();

    // Pairing: `-sameroom open` typed in Town Square, the code pasted in the lobby.
    const { notice } = await lobby.pair({ platform: 'Mattermost', open: () => f.userPost(alice, town, '-sameroom open'), answers });
    expect(notice).toMatch(/^bridge-bot: This room is now linked to ~Town Square on Acme \(Mattermost\)/);

    // Mattermost → lobby: the user's full name, Markdown made canonical.
    const hello = f.userPost(alice, town, 'hello **world** <https://e.org> C:\\temp');
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice Liddell'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'Alice Liddell', text: 'hello **world** https://e.org C:\\\\temp' });

    f.userEdit(hello.id, 'hello _again_');
    await waitFor(() => copyInLobby.text === 'hello _again_', 10_000, 'edit in lobby');

    // Lobby → Mattermost: under the author's name (override props), in the thread of the original,
    // canonical made Mattermost Markdown, mass mentions defused.
    const mine = await other.says('lobby', 'Bob', 'hi *Mattermost* <b> @channel @here @all', { replyTo: copyInLobby.id });
    await tb.settle();
    await waitFor(() => copies().length === 1, 10_000, 'copy in Mattermost');
    const copy = copies()[0]!;
    expect(copy.props).toEqual({ override_username: 'Bob', from_webhook: 'true' });
    expect(copy.root_id).toBe(hello.id);
    expect(copy.message).toBe(`hi _Mattermost_ \\<b> @${ZWSP}channel @${ZWSP}here @${ZWSP}all`);
    expect(copy.message).not.toMatch(/@(channel|here|all)\b/);

    // The author's avatar goes with the copy when the origin knows it.
    await lobby.postWithAvatar();
    await waitFor(() => copies().length === 2, 10_000, 'second copy in Mattermost');
    expect(copies()[1]?.props).toEqual({ override_username: 'Carol', override_icon_url: 'https://example.com/carol.png', from_webhook: 'true' });

    await other.edits('lobby', mine, 'hi ~~Mattermost~~');
    await tb.settle();
    expect(copy).toMatchObject({ message: 'hi ~~Mattermost~~', props: { override_username: 'Bob', from_webhook: 'true' } });
    expect(copy.edit_at).toBeGreaterThan(0);
    await other.deletes('lobby', mine);
    await tb.settle();
    expect(copy.delete_at).toBeGreaterThan(0);

    f.userDelete(hello.id);
    await waitFor(() => !other.room('lobby').some((m) => m.id === copyInLobby.id), 10_000, 'delete in lobby');

    // The bridge's own posts came back over the WebSocket (posted, edited, deleted): none was relayed.
    await lobby.marker((text) => f.userPost(alice, town, text));
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [alice.id, 'hello **world** https://e.org C:\\\\temp'],
      [alice.id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Liddell']);
  });
});

describe('Mattermost ↔ a web room through the bridge', () => {
  it('pairs a web room with a Mattermost channel and relays posts under the author name, edits and deletes both ways', async () => {
    const { f, alice, town, bot, ready, answers, copies } = await mattermost(rig);
    const tb = await rig.web(bot, { store: 'redis' });
    await ready();

    // Pairing: `-sameroom open` typed in the web room, the code typed in Town Square.
    const sam = await rig.webRoom(tb, {
      platform: 'Mattermost',
      connect: (code) => f.userPost(alice, town, `-sameroom connect ${code}`),
      answers,
      notice: 'now linked to ~Town Square on Acme (Mattermost)',
    });

    // Web → Mattermost: under the web author's name (override props), canonical made Mattermost Markdown.
    const hello = await sam.post('hello *Mattermost* @channel');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Mattermost');
    const copy = copies()[0]!;
    expect(copy.props).toEqual({ override_username: 'Sam', from_webhook: 'true' });
    expect(copy.message).toBe(`hello _Mattermost_ @${ZWSP}channel`);

    // Mattermost → web: shown under the user's full name, Markdown made canonical.
    const hi = f.userPost(alice, town, 'hi **web** people');
    const shown = await copyOnWeb(sam, 'the copy of Alice’s post');
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi **web** people' });
    expect(shown.nodes).toEqual([{ type: 'text', text: 'hi ' }, { type: 'bold', children: [{ type: 'text', text: 'web' }] }, { type: 'text', text: ' people' }]);

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello ~~Mattermost~~');
    await waitFor(() => copy.message === 'hello ~~Mattermost~~', 10_000, 'edit in Mattermost');
    expect(copy).toMatchObject({ props: { override_username: 'Sam', from_webhook: 'true' } });
    expect(copy.edit_at).toBeGreaterThan(0);
    f.userEdit(hi.id, 'hi _web_ people (edited)');
    const edited = await updateOnWeb(sam, shown);
    expect(edited.message).toMatchObject({ text: 'hi _web_ people (edited)', edited: true, author: { name: 'Alice Liddell' } });

    // Deletes both ways.
    await deleteOnWeb(sam, hello);
    await waitFor(() => copy.delete_at > 0, 10_000, 'delete in Mattermost');
    f.userDelete(hi.id);
    await deletionOnWeb(sam, shown);

    // The bridge's own post came back over the WebSocket (posted, edited, deleted): it was never relayed to the web room.
    await tb.settle();
    const copiesShown = copiesSent(sam).map((m) => m.author.name);
    expect(copiesShown).toEqual(['Alice Liddell']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
