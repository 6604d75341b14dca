/** A tube between a Slack channel (real Bolt, fake Slack, Events API) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { toPlain } from '../../src/markup.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { seed } from '../slack/rig.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { waitFor } from './waitfor.js';

describe('Slack ↔ another room through the bridge', () => {
  let fake: FakeSlack | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
  });

  it('pairs from Slack, relays posts as the real author, threads, edits and deletes both ways', async () => {
    fake = await FakeSlack.start({ sharesInComplete: false });
    seed(fake);
    const slack = createSlackBot({ botToken: fake.botToken, apiUrl: fake.apiUrl, signingSecret: fake.signingSecret });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store: 'redis', bots: [slack, other] });
    const deliver = async (event: Parameters<FakeSlack['events']['envelope']>[0]): Promise<void> => {
      const res = await fake!.postEvent(`${tb!.url}/slack/events`, fake!.events.envelope(event));
      expect(res.status).toBe(200);
    };
    const posted = (channel: string) => fake!.posts.filter((p) => p.channel === channel);

    await deliver(fake.events.message({ channel: 'C1', user: 'U1', text: '-sameroom open' }));
    await waitFor(() => posted('C1').some((p) => p.text.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(posted('C1').at(-1)?.text ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/now linked to #general on Acme \(Slack\)/);

    const msg = fake.events.message({ channel: 'C1', user: 'U1', text: 'hi *all* <!channel>' });
    await deliver(msg);
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice'), 10_000, 'copy in lobby');
    expect(other.lines('lobby').at(-1)?.replace(/\u200b/g, '')).toBe('Alice: hi all @channel');
    expect(other.room('lobby').at(-1)?.text).not.toMatch(/@channel/);

    await other.says('lobby', 'Bob', 'thanks @here');
    await tb.settle();
    const copy = posted('C1').at(-1);
    expect(copy).toMatchObject({ username: 'Bob', link_names: false });
    expect(copy?.text).not.toMatch(/<!here>|<!channel>/);

    const copyInLobby = other.room('lobby').find((m) => m.as === 'Alice')!;
    await other.says('lobby', 'Bob', 'in the thread', { replyTo: copyInLobby.id });
    await tb.settle();
    expect(posted('C1').at(-1)).toMatchObject({ text: 'in the thread', thread_ts: msg.ts });

    await deliver(fake.events.changed(msg, 'hi everyone (edited)'));
    await waitFor(() => other.room('lobby').some((m) => m.text === 'hi everyone \\(edited\\)'), 10_000, 'edit in lobby');
    await deliver(fake.events.deleted(msg));
    await waitFor(() => !other.room('lobby').some((m) => m.as === 'Alice'), 10_000, 'delete in lobby');

    const lobbyMsg = await other.says('lobby', 'Bob', 'to be edited');
    await tb.settle();
    await other.edits('lobby', lobbyMsg, 'edited in lobby');
    await tb.settle();
    expect(fake.state.updates.at(-1)?.text).toBe('edited in lobby');
    await other.deletes('lobby', lobbyMsg);
    await tb.settle();
    expect(fake.state.deletes).toHaveLength(1);
  });
});

describe('Slack ↔ a web room through the bridge', () => {
  let fake: FakeSlack | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Slack channel and relays posts as the real author, edits and deletes both ways', async () => {
    fake = await FakeSlack.start({ sharesInComplete: false });
    const f = fake;
    seed(f);
    const slack = createSlackBot({ botToken: f.botToken, apiUrl: f.apiUrl, signingSecret: f.signingSecret });
    kit = await startWeb({ bots: [slack], store: 'redis' });
    const { tb } = kit;
    const deliver = async (event: Parameters<FakeSlack['events']['envelope']>[0]): Promise<void> => {
      const res = await f.postEvent(`${tb.url}/slack/events`, f.events.envelope(event));
      expect(res.status).toBe(200);
    };
    const posted = () => f.posts.filter((p) => p.channel === 'C1');

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const id = await createRoom(tb.url, 'Web desk');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    await deliver(f.events.message({ channel: 'C1', user: 'U1', text: `-sameroom connect ${code}` }));
    await waitFor(() => posted().some((p) => p.text.includes('now linked to Web desk (Web)')), 10_000, 'linked answer in Slack');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to #general on Acme (Slack)')), 10_000);

    // Web → Slack: posted under the web author's name, mass mentions defused.
    const hello = await sam.post('hello **Slack** @here');
    await waitFor(() => posted().some((p) => p.username === 'Sam'), 10_000, 'copy in Slack');
    const copy = posted().at(-1)!;
    expect(copy).toMatchObject({ username: 'Sam', link_names: false });
    expect(copy.text.replace(/\u200b/g, '')).toBe('hello *Slack* @here');
    expect(copy.text).not.toMatch(/<!here>/);

    // The bridge's own post comes back as a bot message: it is not relayed to the web room.
    await deliver(f.events.botMessage({ channel: 'C1', bot_id: f.state.bot.botId, username: 'Sam', text: copy.text }));
    await tb.settle();

    // Slack → web: shown under the Slack author's display name, Slack mrkdwn made canonical.
    const msg = f.events.message({ channel: 'C1', user: 'U1', text: 'hi *web* _folks_' });
    await deliver(msg);
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown.author.name).toBe('Alice');
    expect(shown.nodes).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'bold', children: [{ type: 'text', text: 'web' }] },
      { type: 'text', text: ' ' },
      { type: 'italic', children: [{ type: 'text', text: 'folks' }] },
    ]);

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello _everyone_' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => f.state.updates.some((u) => u.ts === copy.ts), 10_000, 'edit in Slack');
    expect(f.state.updates.at(-1)).toMatchObject({ channel: 'C1', ts: copy.ts, text: 'hello _everyone_' });
    await deliver(f.events.changed(msg, 'hi everyone (edited)'));
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(toPlain(edited.message.text)).toBe('hi everyone (edited)');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice' } });

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => f.state.deletes.some((d) => d.ts === copy.ts), 10_000, 'delete in Slack');
    await deliver(f.events.deleted(msg));
    await sam.next('delete', (m) => m.id === shown.id, 10_000);

    await tb.settle();
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.author.name] : []))).toEqual(['Alice']);
  });
});
