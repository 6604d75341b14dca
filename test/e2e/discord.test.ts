/** A tube between a Discord channel (real discord.js bot, fake Discord) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordBot } from '../../bots/discord/index.js';
import { toPlain } from '../../src/markup.js';
import { remoteId } from '../../src/model.js';
import { FakeDiscord, type Posted } from '../fakes/discord/index.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { waitFor } from './waitfor.js';

const ZWSP = '\u200b';

describe('Discord ↔ another room through the bridge', () => {
  let fake: FakeDiscord | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
    tb = undefined;
    fake = undefined;
  });

  it('pairs from Discord, relays posts through the webhook as the author, replies, edits and deletes both ways, never pings', async () => {
    fake = await FakeDiscord.start();
    const f = fake;
    const general = f.general.id;
    const discord = createDiscordBot({ token: f.token, apiUrl: f.apiUrl, leasePollMs: 20 });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [discord, other] });
    const answers = (): string[] => f.posted(general).filter((p) => p.via === 'bot').map((p) => p.message.content);
    const copies = (): Posted[] => f.posted(general).filter((p) => p.via === 'webhook');
    const live = (id: string) => f.world.findMessage(general, id);

    // Pairing: `-sameroom open` typed in #general, the code pasted in the lobby.
    f.userSays(general, '-sameroom open');
    await waitFor(() => answers().some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(answers().at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/^bridge-bot: This room is now linked to #general on Acme \(Discord\)/);
    await waitFor(() => answers().some((t) => t.includes('now linked to #lobby (alpha)')), 10_000, 'linked notice in Discord');

    // Discord → lobby: the author's display name and avatar, Discord markdown made canonical.
    const hello = f.userSays(general, `hello **world** __there__ <@${f.bob.id}>`);
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice Liddell'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'Alice Liddell', text: 'hello **world** there @bob' });
    expect(other.sendLog.at(-1)?.author.avatarUrl).toBe(`https://cdn.discordapp.com/avatars/${f.alice.id}/a1b2c3.png`);

    f.userEdits(general, hello.id, `hello *again* <#${f.random.id}>`);
    await waitFor(() => copyInLobby.text === 'hello *again* #random', 10_000, 'edit in lobby');

    // Lobby → Discord: through the channel webhook under the author's name, canonical made Discord markdown.
    const mine = await other.says('lobby', 'Bob', 'hi _Discord_ <b> @everyone @here', { replyTo: copyInLobby.id });
    await tb.settle();
    await waitFor(() => copies().length === 1, 10_000, 'copy in Discord');
    const copy = copies()[0]!;
    expect(copy.username).toBe('Bob');
    expect(copy.message.content).toBe(
      `> ↪ [Reply](https://discord.com/channels/${f.guild.id}/${general}/${hello.id})\nhi *Discord* \\<b\\> @${ZWSP}everyone @${ZWSP}here`,
    );
    // Mass mentions: allowed_mentions parses nothing, and the text itself no longer mentions anyone.
    expect(copy.allowedMentions).toEqual({ parse: [] });
    expect(copy.pings).toEqual([]);
    expect(copy.message.mention_everyone).toBe(false);

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
    await waitFor(() => copies().length === 2, 10_000, 'second copy in Discord');
    expect(copies()[1]).toMatchObject({ username: 'Carol', avatarUrl: 'https://example.com/carol.png' });

    await other.edits('lobby', mine, 'hi ~~Discord~~ (edited)');
    await tb.settle();
    expect(live(copy.message.id)?.content).toBe(
      `> ↪ [Reply](https://discord.com/channels/${f.guild.id}/${general}/${hello.id})\nhi ~~Discord~~ (edited)`,
    );
    await other.deletes('lobby', mine);
    await tb.settle();
    expect(live(copy.message.id)).toBeUndefined();

    f.userDeletes(general, hello.id);
    await waitFor(() => !other.room('lobby').some((m) => m.as === 'Alice Liddell'), 10_000, 'delete in lobby');

    // The bridge's own copies came back over the gateway (create, update, delete): none was relayed.
    f.userSays(general, 'marker');
    await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), 10_000, 'marker in lobby');
    await tb.settle();
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [f.alice.id, 'hello **world** there @bob'],
      [f.alice.id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Liddell']);
  });
});

describe('Discord ↔ a web room through the bridge', () => {
  let fake: FakeDiscord | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Discord channel and relays posts, edits and deletes both ways', async () => {
    fake = await FakeDiscord.start();
    const f = fake;
    const general = f.general.id;
    const discord = createDiscordBot({ token: f.token, apiUrl: f.apiUrl, leasePollMs: 20 });
    kit = await startWeb({ bots: [discord] });
    const { tb } = kit;
    const answers = (): string[] => f.posted(general).filter((p) => p.via === 'bot').map((p) => p.message.content);
    const copies = (): Posted[] => f.posted(general).filter((p) => p.via === 'webhook');
    const live = (id: string) => f.world.findMessage(general, id);

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const id = await createRoom(tb.url, 'Customers');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    f.userSays(general, `-sameroom connect ${code}`);
    await waitFor(() => answers().some((t) => t.includes('now linked to Customers (Web)')), 10_000, 'linked answer in Discord');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to #general')));

    // Web → Discord: through the channel webhook under the web author's name.
    const hello = await sam.post('hello **Discord**');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Discord');
    const copy = copies()[0]!;
    expect(copy.username).toBe('Sam');
    expect(copy.message.content).toBe('hello **Discord**');
    expect(copy.allowedMentions).toEqual({ parse: [] });

    // Discord → web: shown under the Discord author's display name.
    const hi = f.userSays(general, 'hi *web* people');
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi *web* people' });
    expect(shown.nodes).toEqual([{ type: 'text', text: 'hi ' }, { type: 'italic', children: [{ type: 'text', text: 'web' }] }, { type: 'text', text: ' people' }]);

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello **everyone**' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => live(copy.message.id)?.content === 'hello **everyone**', 10_000, 'edit in Discord');
    f.userEdits(general, hi.id, 'hi *web* people (edited)');
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(toPlain(edited.message.text)).toBe('hi web people (edited)');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice Liddell' } });

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => live(copy.message.id) === undefined, 10_000, 'delete in Discord');
    f.userDeletes(general, hi.id);
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    // The bridge's own webhook copy came back over the gateway (create, update, delete): it was never relayed to the web room.
    await tb.settle();
    const copiesShown = sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []));
    expect(copiesShown).toEqual(['Alice Liddell']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
