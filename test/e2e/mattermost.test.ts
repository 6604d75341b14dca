/** A tube between a Mattermost channel (real bot, fake server) and a test-platform room, both ways, on Redis. */
import { afterEach, describe, expect, it } from 'vitest';
import { createMattermostBot } from '../../bots/mattermost/index.js';
import { toPlain } from '../../src/markup.js';
import { remoteId } from '../../src/model.js';
import type { Post } from '../fakes/mattermost/model.js';
import { FakeMattermost } from '../fakes/mattermost/server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { waitFor } from './waitfor.js';

const ZWSP = '\u200b';

describe('Mattermost ↔ another room through the bridge', () => {
  let fake: FakeMattermost | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
    tb = undefined;
    fake = undefined;
  });

  it('pairs from Mattermost, relays posts under the author name, threads, edits and deletes both ways, never pings', async () => {
    fake = await new FakeMattermost().start();
    const f = fake;
    const alice = f.addUser('alice', { first_name: 'Alice', last_name: 'Liddell' });
    const town = f.addChannel('town-square', [alice]);
    const mm = createMattermostBot({ url: f.url, token: f.botToken, retryMs: 10 });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'redis', bots: [mm, other] });
    await waitFor(() => f.hub.authenticated === 1, 10_000, 'the websocket to authenticate');
    const byBot = (): Post[] => f.postsIn(town).filter((p) => p.user_id === f.bot.id);
    const answers = (): string[] => byBot().filter((p) => p.props.from_webhook === undefined).map((p) => p.message);
    const copies = (): Post[] => byBot().filter((p) => p.props.from_webhook === 'true');

    // Pairing: `-sameroom open` typed in Town Square, the code pasted in the lobby.
    f.userPost(alice, town, '-sameroom open');
    await waitFor(() => answers().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(answers().at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/^bridge-bot: This room is now linked to ~Town Square on Acme \(Mattermost\)/);
    await waitFor(() => answers().some((t) => t.includes('now linked to #lobby (alpha)')), 10_000, 'linked notice in Mattermost');

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
    await other.ingest({
      kind: 'post',
      room: other.ref('lobby'),
      eventId: 'carol-1',
      id: remoteId('carol-1'),
      author: { id: 'carol', name: 'Carol', avatarUrl: 'https://example.com/carol.png' },
      text: 'with a face',
    });
    await tb.settle();
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
    f.userPost(alice, town, 'marker');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), 10_000, 'marker in lobby');
    await tb.settle();
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [alice.id, 'hello **world** https://e.org C:\\\\temp'],
      [alice.id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Liddell']);
  });
});

describe('Mattermost ↔ a web room through the bridge', () => {
  let fake: FakeMattermost | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Mattermost channel and relays posts under the author name, edits and deletes both ways', async () => {
    fake = await new FakeMattermost().start();
    const f = fake;
    const alice = f.addUser('alice', { first_name: 'Alice', last_name: 'Liddell' });
    const town = f.addChannel('town-square', [alice]);
    const mm = createMattermostBot({ url: f.url, token: f.botToken, retryMs: 10 });
    kit = await startWeb({ bots: [mm], store: 'redis' });
    const { tb } = kit;
    await waitFor(() => f.hub.authenticated === 1, 10_000, 'the websocket to authenticate');
    const byBot = (): Post[] => f.postsIn(town).filter((p) => p.user_id === f.bot.id);
    const answers = (): string[] => byBot().filter((p) => p.props.from_webhook === undefined).map((p) => p.message);
    const copies = (): Post[] => byBot().filter((p) => p.props.from_webhook === 'true');

    // Pairing: `-sameroom open` typed in the web room, the code typed in Town Square.
    const id = await createRoom(tb.url, 'Customers');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    f.userPost(alice, town, `-sameroom connect ${code}`);
    await waitFor(() => answers().some((t) => t.includes('now linked to Customers (Web)')), 10_000, 'linked answer in Mattermost');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to ~Town Square on Acme (Mattermost)')), 10_000);

    // Web → Mattermost: under the web author's name (override props), canonical made Mattermost Markdown.
    const hello = await sam.post('hello *Mattermost* @channel');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Mattermost');
    const copy = copies()[0]!;
    expect(copy.props).toEqual({ override_username: 'Sam', from_webhook: 'true' });
    expect(copy.message).toBe(`hello _Mattermost_ @${ZWSP}channel`);

    // Mattermost → web: shown under the user's full name, Markdown made canonical.
    const hi = f.userPost(alice, town, 'hi **web** people');
    const shown = await until('the copy of Alice’s post', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi **web** people' });
    expect(shown.nodes).toEqual([{ type: 'text', text: 'hi ' }, { type: 'bold', children: [{ type: 'text', text: 'web' }] }, { type: 'text', text: ' people' }]);

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello ~~Mattermost~~' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => copy.message === 'hello ~~Mattermost~~', 10_000, 'edit in Mattermost');
    expect(copy).toMatchObject({ props: { override_username: 'Sam', from_webhook: 'true' } });
    expect(copy.edit_at).toBeGreaterThan(0);
    f.userEdit(hi.id, 'hi _web_ people (edited)');
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(edited.message).toMatchObject({ text: 'hi _web_ people (edited)', edited: true, author: { name: 'Alice Liddell' } });

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => copy.delete_at > 0, 10_000, 'delete in Mattermost');
    f.userDelete(hi.id);
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    // The bridge's own post came back over the WebSocket (posted, edited, deleted): it was never relayed to the web room.
    await tb.settle();
    const copiesShown = sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []));
    expect(copiesShown).toEqual(['Alice Liddell']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
