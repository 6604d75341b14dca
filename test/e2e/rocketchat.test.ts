/** A tube between a Rocket.Chat room (real bot, fake server) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createRocketChatBot } from '../../bots/rocketchat/index.js';
import type { RcMsg } from '../fakes/rocketchat/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A fake Rocket.Chat with Alice and the bot in #general, and the real bot against it; `ready()` once it listens. */
async function rocketChat(r: Rig) {
  const f = r.own(await new FakeRocketChat().start());
  const alice = f.model.addUser('alice', 'Alice Adams');
  const general = f.model.addRoom('general', [alice, f.bot]);
  const bot = createRocketChatBot({ url: f.url, userId: f.bot._id, authToken: f.bot.token, retryMs: 10 });
  const ready = () => waitFor(() => f.ddp.listening === 1 && f.ddp.deleteSubs(general._id) === 1, 10_000, 'the realtime subscriptions');
  const byBot = (): RcMsg[] => f.messagesIn(general).filter((m) => m.u._id === f.bot._id);
  const answers = (): string[] => byBot().filter((m) => m.alias === undefined).map((m) => m.msg);
  const copies = (): RcMsg[] => byBot().filter((m) => m.alias !== undefined);
  return { f, alice, general, bot, ready, answers, copies };
}

describe('Rocket.Chat ↔ another room through the bridge', () => {
  it('pairs from Rocket.Chat, relays posts under the author alias, threads, edits and deletes both ways, never pings', async () => {
    const { f, alice, general, bot, ready, answers, copies } = await rocketChat(rig);
    const lobby = await rig.lobby(bot);
    const { tb, other } = lobby;
    await ready();

    // Pairing: `-sameroom open` typed in #general, the code pasted in the lobby.
    const { notice } = await lobby.pair({ platform: 'Rocket.Chat', open: () => f.userSend(alice, general, '-sameroom open'), answers });
    expect(notice).toMatch(/^bridge-bot: This room is now linked to #general \(Rocket\.Chat\)/);

    // Rocket.Chat → lobby: the user's name and avatar, Rocket.Chat markup made canonical.
    const hello = f.userSend(alice, general, 'hello *world* ~old~ <https://e.org|site>');
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice Adams'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'Alice Adams', text: 'hello **world** ~~old~~ [site](https://e.org)' });
    expect(other.sendLog.at(-1)?.author.avatarUrl).toBe(`${f.url}/avatar/alice`);

    f.userEdit(hello._id, 'hello _again_');
    await waitFor(() => copyInLobby.text === 'hello _again_', 10_000, 'edit in lobby');

    // Lobby → Rocket.Chat: under the author's alias, in the thread of the original,
    // canonical made Rocket.Chat markup, mass mentions defused.
    const mine = await other.says('lobby', 'Bob', 'hi **Rocket** [x](https://e.org) @all @here', { replyTo: copyInLobby.id });
    await tb.settle();
    await waitFor(() => copies().length === 1, 10_000, 'copy in Rocket.Chat');
    const copy = copies()[0]!;
    expect(copy).toMatchObject({ alias: 'Bob', tmid: hello._id, msg: `hi *Rocket* [x](https://e.org) @${ZWSP}all @${ZWSP}here` });
    expect(copy.avatar).toBeUndefined();
    expect(copy.msg).not.toMatch(/@(all|here)\b/);

    // The author's avatar goes with the copy when the origin knows it.
    await lobby.postWithAvatar();
    await waitFor(() => copies().length === 2, 10_000, 'second copy in Rocket.Chat');
    expect(copies()[1]).toMatchObject({ alias: 'Carol', avatar: 'https://example.com/carol.png', msg: 'with a face' });

    await other.edits('lobby', mine, 'hi ~~Rocket~~');
    await tb.settle();
    expect(f.model.messages.get(copy._id)).toMatchObject({ msg: 'hi ~Rocket~', alias: 'Bob' });
    expect(f.model.messages.get(copy._id)?.editedAt).toBeDefined();
    await other.deletes('lobby', mine);
    await tb.settle();
    expect(f.model.messages.has(copy._id)).toBe(false);

    f.userDelete(hello._id);
    await waitFor(() => !other.room('lobby').some((m) => m.id === copyInLobby.id), 10_000, 'delete in lobby');

    // The bridge's own messages came back over the realtime API (sent, edited): none was relayed.
    await lobby.marker((text) => f.userSend(alice, general, text));
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [alice._id, 'hello **world** ~~old~~ [site](https://e.org)'],
      [alice._id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Adams']);
  });
});

describe('Rocket.Chat ↔ a web room through the bridge', () => {
  it('pairs a web room with a Rocket.Chat room and relays posts under the author alias, edits and deletes both ways', async () => {
    const { f, alice, general, bot, ready, answers, copies } = await rocketChat(rig);
    const tb = await rig.web(bot);
    await ready();

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const sam = await rig.webRoom(tb, {
      platform: 'Rocket.Chat',
      connect: (code) => f.userSend(alice, general, `-sameroom connect ${code}`),
      answers,
      notice: 'now linked to #general (Rocket.Chat)',
    });

    // Web → Rocket.Chat: under the web author's alias, canonical made Rocket.Chat markup, mass mentions defused.
    const hello = await sam.post('hello **Rocket** @all');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Rocket.Chat');
    const copy = copies()[0]!;
    expect(copy).toMatchObject({ alias: 'Sam', msg: `hello *Rocket* @${ZWSP}all` });
    expect(copy.avatar).toBeUndefined();

    // Rocket.Chat → web: shown under the user's name and avatar, Rocket.Chat markup made canonical.
    const hi = f.userSend(alice, general, 'hi *web* ~old~ people');
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice Adams', avatarUrl: `${f.url}/avatar/alice` }, text: 'hi **web** ~~old~~ people' });

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello ~~Rocket~~');
    await waitFor(() => f.model.messages.get(copy._id)?.msg === 'hello ~Rocket~', 10_000, 'edit in Rocket.Chat');
    expect(f.model.messages.get(copy._id)).toMatchObject({ alias: 'Sam' });
    expect(f.model.messages.get(copy._id)?.editedAt).toBeDefined();
    f.userEdit(hi._id, 'hi _web_ people (edited)');
    const edited = await updateOnWeb(sam, shown);
    expect(edited.message).toMatchObject({ text: 'hi _web_ people \\(edited\\)', edited: true, author: { name: 'Alice Adams' } });

    // Deletes both ways.
    await deleteOnWeb(sam, hello);
    await waitFor(() => !f.model.messages.has(copy._id), 10_000, 'delete in Rocket.Chat');
    f.userDelete(hi._id);
    await deletionOnWeb(sam, shown);

    // The bridge's own messages came back over the realtime API (sent, edited): none was relayed to the web room.
    await tb.settle();
    const copiesShown = copiesSent(sam).map((m) => m.author.name);
    expect(copiesShown).toEqual(['Alice Adams']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
