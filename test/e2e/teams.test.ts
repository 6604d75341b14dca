/** A tube between a Teams channel (real botbuilder, fake connector) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTeamsBot } from '../../bots/teams/index.js';
import { toPlain } from '../../src/markup.js';
import { FakeTeams, teamsUser } from '../fakes/teams/teams.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
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

describe('Teams ↔ a web room through the bridge', () => {
  let fake: FakeTeams | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Teams channel and relays posts, edits and deletes both ways', async () => {
    fake = await FakeTeams.start({ appId: '' });
    const f = fake;
    const teams = createTeamsBot({ appId: '', allowUnauthenticated: true });
    kit = await startWeb({ bots: [teams] });
    const { tb } = kit;
    f.botEndpoint = `${tb.url}/api/messages`;
    const chan = f.channel('General');
    const alice = teamsUser('Alice Example');
    const botActivities = () => f.connector.live(chan.id).filter((a) => a.from?.id === f.bot.id);
    const botPosts = (): string[] => botActivities().map((a) => a.text ?? '');

    // Pairing: `-sameroom open` typed in the web room, `@Sameroom connect <code>` in the channel.
    const id = await createRoom(tb.url, 'Web desk');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    await f.deliver(f.message(chan, alice, { text: `connect ${code}`, mention: true }));
    await tb.settle();
    await waitFor(() => botPosts().some((t) => t.includes('now linked to Web desk (Web)')), 10_000, 'linked answer in Teams');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && /now linked to .*General.* \(Teams\)/.test(toPlain(m.text))), 10_000);

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
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice Example' } });
    expect(toPlain(shown.text)).toBe('hello from Teams');

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hi _Teams_' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => copyText() === '<b>Sam</b>: hi <i>Teams</i>', 10_000, 'edit in Teams');
    await f.deliver(f.edit(chan, hi, 'hello again'));
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(toPlain(edited.message.text)).toBe('hello again');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice Example' } });

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => copyText() === undefined, 10_000, 'delete in Teams');
    await f.deliver(f.remove(chan, hi));
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    await tb.settle();
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []))).toEqual(['Alice Example']);
  });
});
