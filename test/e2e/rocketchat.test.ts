/** A tube between a Rocket.Chat room (real bot, fake server) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRocketChatBot } from '../../bots/rocketchat/index.js';
import { remoteId } from '../../src/model.js';
import type { RcMsg } from '../fakes/rocketchat/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from './waitfor.js';

const ZWSP = '\u200b';

describe('Rocket.Chat ↔ another room through the bridge', () => {
  let fake: FakeRocketChat | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
    tb = undefined;
    fake = undefined;
  });

  it('pairs from Rocket.Chat, relays posts under the author alias, threads, edits and deletes both ways, never pings', async () => {
    fake = await new FakeRocketChat().start();
    const f = fake;
    const alice = f.model.addUser('alice', 'Alice Adams');
    const general = f.model.addRoom('general', [alice, f.bot]);
    const rc = createRocketChatBot({ url: f.url, userId: f.bot._id, authToken: f.bot.token, retryMs: 10 });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [rc, other] });
    await waitFor(() => f.ddp.listening === 1 && f.ddp.deleteSubs(general._id) === 1, 10_000, 'the realtime subscriptions');
    const byBot = (): RcMsg[] => f.messagesIn(general).filter((m) => m.u._id === f.bot._id);
    const answers = (): string[] => byBot().filter((m) => m.alias === undefined).map((m) => m.msg);
    const copies = (): RcMsg[] => byBot().filter((m) => m.alias !== undefined);

    // Pairing: `-sameroom open` typed in #general, the code pasted in the lobby.
    f.userSend(alice, general, '-sameroom open');
    await waitFor(() => answers().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(answers().at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/^bridge-bot: This room is now linked to #general \(Rocket\.Chat\)/);
    await waitFor(() => answers().some((t) => t.includes('now linked to #lobby (alpha)')), 10_000, 'linked notice in Rocket.Chat');

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
    await other.ingest({
      kind: 'post',
      room: other.ref('lobby'),
      eventId: 'carol-1',
      id: remoteId('carol-1'),
      author: { id: 'carol', name: 'Carol', avatarUrl: 'https://example.com/carol.png' },
      text: 'with a face',
    });
    await tb.settle();
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
    f.userSend(alice, general, 'marker');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), 10_000, 'marker in lobby');
    await tb.settle();
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [alice._id, 'hello **world** ~~old~~ [site](https://e.org)'],
      [alice._id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Adams']);
  });
});
