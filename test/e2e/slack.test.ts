/** A tube between a Slack channel (real Bolt, fake Slack, Events API) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { toPlain } from '../../src/markup.js';
import { FakeSlack } from '../fakes/slack/index.js';
import type { TestBridge } from '../helpers/bridge-harness.js';
import { seed } from '../slack/rig.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A seeded fake Slack, and the real bot against it; `deliver(tb)` posts events to that bridge's endpoint. */
async function slack(r: Rig) {
  const f = r.own(await FakeSlack.start({ sharesInComplete: false }));
  seed(f);
  const bot = createSlackBot({ botToken: f.botToken, apiUrl: f.apiUrl, signingSecret: f.signingSecret });
  const deliver =
    (tb: TestBridge) =>
    async (event: Parameters<FakeSlack['events']['envelope']>[0]): Promise<void> => {
      const res = await f.postEvent(`${tb.url}/slack/events`, f.events.envelope(event));
      expect(res.status).toBe(200);
    };
  return { f, bot, deliver };
}

describe('Slack ↔ another room through the bridge', () => {
  it('pairs from Slack, relays posts as the real author, threads, edits and deletes both ways', async () => {
    const { f: fake, bot, deliver: deliverTo } = await slack(rig);
    const lobby = await rig.lobby(bot, { store: 'redis' });
    const { tb, other } = lobby;
    const deliver = deliverTo(tb);
    const posted = (channel: string) => fake.posts.filter((p) => p.channel === channel);

    const { notice } = await lobby.pair({
      platform: 'Slack',
      open: () => deliver(fake.events.message({ channel: 'C1', user: 'U1', text: '-sameroom open' })),
      answers: () => posted('C1').map((p) => p.text),
      linked: false,
    });
    expect(notice).toMatch(/now linked to #general on Acme \(Slack\)/);

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
  it('pairs a web room with a Slack channel and relays posts as the real author, edits and deletes both ways', async () => {
    const { f, bot, deliver: deliverTo } = await slack(rig);
    const tb = await rig.web(bot, { store: 'redis' });
    const deliver = deliverTo(tb);
    const posted = () => f.posts.filter((p) => p.channel === 'C1');

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const sam = await rig.webRoom(tb, {
      platform: 'Slack',
      room: 'Web desk',
      connect: (code) => deliver(f.events.message({ channel: 'C1', user: 'U1', text: `-sameroom connect ${code}` })),
      answers: () => posted().map((p) => p.text),
      notice: 'now linked to #general on Acme (Slack)',
    });

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
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown.author.name).toBe('Alice');
    expect(shown.nodes).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'bold', children: [{ type: 'text', text: 'web' }] },
      { type: 'text', text: ' ' },
      { type: 'italic', children: [{ type: 'text', text: 'folks' }] },
    ]);

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello _everyone_');
    await waitFor(() => f.state.updates.some((u) => u.ts === copy.ts), 10_000, 'edit in Slack');
    expect(f.state.updates.at(-1)).toMatchObject({ channel: 'C1', ts: copy.ts, text: 'hello _everyone_' });
    await deliver(f.events.changed(msg, 'hi everyone (edited)'));
    const edited = await updateOnWeb(sam, shown);
    expect(toPlain(edited.message.text)).toBe('hi everyone (edited)');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice' } });

    // Deletes both ways.
    await deleteOnWeb(sam, hello);
    await waitFor(() => f.state.deletes.some((d) => d.ts === copy.ts), 10_000, 'delete in Slack');
    await deliver(f.events.deleted(msg));
    await deletionOnWeb(sam, shown);

    await tb.settle();
    expect(copiesSent(sam).map((m) => m.author.name)).toEqual(['Alice']);
  });
});
