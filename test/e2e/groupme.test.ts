/** A tube between a GroupMe group (real bot, fake GroupMe) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupMeBot } from '../../bots/groupme/index.js';
import { toPlain } from '../../src/markup.js';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { freePort } from '../helpers/redis-server.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
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

describe('GroupMe ↔ a web room through the bridge', () => {
  let fake: FakeGroupMe | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a GroupMe group and relays posts both ways (GroupMe has no edits or deletes)', async () => {
    fake = await startFakeGroupMe();
    const f = fake;
    f.addGroup('g1', 'Family');
    const port = await freePort();
    const gm = createGroupMeBot({ accessToken: f.token, apiUrl: f.apiUrl, imageUrl: f.imageUrl, echoWaitMs: 2000 });
    kit = await startWeb({ bots: [gm], env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    const { tb } = kit;
    const texts = (): string[] => f.posted('g1').map((m) => m.text);

    // Pairing: `-sameroom open` typed in the web room, the code typed in the GroupMe group.
    const id = await createRoom(tb.url, 'Web desk');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    await f.userPosts('g1', { user: alice, text: `-sameroom connect ${code}` });
    await f.settle();
    await waitFor(() => texts().some((t) => t === 'This room is now linked to Web desk (Web): messages flow both ways. -sameroom list shows the links.'), 10_000, 'linked answer in GroupMe');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to Family (GroupMe)')), 10_000);

    // Web → GroupMe: GroupMe bots cannot impersonate, so the copy is prefixed; markup is flattened.
    const hello = await sam.post('see you **there**');
    await waitFor(() => texts().includes('Sam: see you there'), 10_000, 'copy in GroupMe');

    // GroupMe → web: shown under the GroupMe author's name.
    await f.userPosts('g1', { user: alice, text: 'dinner at 7?' });
    await f.settle();
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice' } });
    expect(toPlain(shown.text)).toBe('dinner at 7?');

    // GroupMe cannot edit or delete: a web edit and delete change the web room only, and post nothing to GroupMe.
    const before = texts().length;
    sam.send({ type: 'edit', id: hello.id, text: 'see you later' });
    await sam.next('update', (m) => m.message.id === hello.id);
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await f.settle();
    await tb.settle();
    expect(texts()).toHaveLength(before);
    expect(texts().some((t) => t.includes('later'))).toBe(false);

    // The bridge's own post came back to its callback as GroupMe does; it was not relayed to the web room.
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [toPlain(fr.message.text)] : []))).toEqual(['dinner at 7?']);
  });
});
