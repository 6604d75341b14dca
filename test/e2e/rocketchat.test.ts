/** A tube between a Rocket.Chat room (real bot, fake server) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRocketChatBot } from '../../bots/rocketchat/index.js';
import { toPlain } from '../../src/markup.js';
import { remoteId } from '../../src/model.js';
import type { RcMsg } from '../fakes/rocketchat/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
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

describe('Rocket.Chat ↔ a web room through the bridge', () => {
  let fake: FakeRocketChat | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Rocket.Chat room and relays posts under the author alias, edits and deletes both ways', async () => {
    fake = await new FakeRocketChat().start();
    const f = fake;
    const alice = f.model.addUser('alice', 'Alice Adams');
    const general = f.model.addRoom('general', [alice, f.bot]);
    const rc = createRocketChatBot({ url: f.url, userId: f.bot._id, authToken: f.bot.token, retryMs: 10 });
    kit = await startWeb({ bots: [rc] });
    const { tb } = kit;
    await waitFor(() => f.ddp.listening === 1 && f.ddp.deleteSubs(general._id) === 1, 10_000, 'the realtime subscriptions');
    const byBot = (): RcMsg[] => f.messagesIn(general).filter((m) => m.u._id === f.bot._id);
    const answers = (): string[] => byBot().filter((m) => m.alias === undefined).map((m) => m.msg);
    const copies = (): RcMsg[] => byBot().filter((m) => m.alias !== undefined);

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const id = await createRoom(tb.url, 'Customers');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    f.userSend(alice, general, `-sameroom connect ${code}`);
    await waitFor(() => answers().some((t) => t.includes('now linked to Customers (Web)')), 10_000, 'linked answer in Rocket.Chat');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to #general (Rocket.Chat)')), 10_000);

    // Web → Rocket.Chat: under the web author's alias, canonical made Rocket.Chat markup, mass mentions defused.
    const hello = await sam.post('hello **Rocket** @all');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Rocket.Chat');
    const copy = copies()[0]!;
    expect(copy).toMatchObject({ alias: 'Sam', msg: `hello *Rocket* @${ZWSP}all` });
    expect(copy.avatar).toBeUndefined();

    // Rocket.Chat → web: shown under the user's name and avatar, Rocket.Chat markup made canonical.
    const hi = f.userSend(alice, general, 'hi *web* ~old~ people');
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice Adams', avatarUrl: `${f.url}/avatar/alice` }, text: 'hi **web** ~~old~~ people' });

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello ~~Rocket~~' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => f.model.messages.get(copy._id)?.msg === 'hello ~Rocket~', 10_000, 'edit in Rocket.Chat');
    expect(f.model.messages.get(copy._id)).toMatchObject({ alias: 'Sam' });
    expect(f.model.messages.get(copy._id)?.editedAt).toBeDefined();
    f.userEdit(hi._id, 'hi _web_ people (edited)');
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(edited.message).toMatchObject({ text: 'hi _web_ people \\(edited\\)', edited: true, author: { name: 'Alice Adams' } });

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => !f.model.messages.has(copy._id), 10_000, 'delete in Rocket.Chat');
    f.userDelete(hi._id);
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    // The bridge's own messages came back over the realtime API (sent, edited): none was relayed to the web room.
    await tb.settle();
    const copiesShown = sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []));
    expect(copiesShown).toEqual(['Alice Adams']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
