/**
 * Slack catch-up through the bridge: the bridge is down while people keep posting in a bridged
 * Slack channel; on restart the Slack bot reads what it missed (conversations.history and
 * conversations.replies) and the other room gets each message exactly once, in order, including
 * messages the catch-up reads again (a watermark that lagged behind, as after a crash) under
 * another event id; thread replies arrive as replies to the right copies, and edits made
 * meanwhile are applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { keys } from '../../src/keys.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { seed } from '../slack/rig.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot, type Shown } from '../helpers/test-bot.js';
import { waitFor } from '../e2e/waitfor.js';

describe('Slack catch-up after the bridge was down', () => {
  let fake: FakeSlack | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop().catch(() => undefined);
    await fake?.close();
  });

  /** A bridge on Redis with the Slack bot (Events API) and a test room; `live` delivers a message event as Slack would. */
  async function start() {
    const slack = await FakeSlack.start();
    fake = slack;
    seed(slack);
    const bot = () => createSlackBot({ botToken: slack.botToken, apiUrl: slack.apiUrl, signingSecret: slack.signingSecret });
    const other = new TestBot('alpha', { impersonate: true });
    const first = await startTestBridge({ store: 'redis', bots: [bot(), other] });
    tb = first;
    const live = async (user: string, text: string): Promise<string> => {
      const ev = slack.events.message({ channel: 'C1', user, text });
      slack.state.history('C1').push({ type: 'message', ts: ev.ts, text, user });
      const res = await slack.postEvent(`${first.url}/slack/events`, slack.events.envelope(ev));
      expect(res.status).toBe(200);
      return ev.ts;
    };
    return { slack, bot, other, first, live };
  }

  it('relays what was posted while it was down, once, in order', async () => {
    const { slack, bot, other, first, live } = await start();
    const copies = (): string[] => other.lines('lobby').filter((l) => /^(Alice|Bob Dobbs): [ld]\d+( fixed)?$/.test(l));

    await live('U1', '-sameroom open');
    await waitFor(() => slack.posts.some((p) => p.channel === 'C1' && p.text.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(slack.posts.at(-1)?.text ?? '')}`);
    await first.settle();

    const liveTs: string[] = [];
    for (let i = 0; i < 5; i++) liveTs.push(await live(i % 2 ? 'U2' : 'U1', `l${i}`));
    await waitFor(() => copies().length === 5, 10_000, 'live copies');
    await first.settle();
    expect(await first.bridge.store.get(keys.botState('slack', 'last:C1'))).toBe(liveTs[4]);
    // As if the process had died before storing the last two watermarks: l3 and l4 are read again.
    await first.bridge.store.set(keys.botState('slack', 'last:C1'), liveTs[2] ?? '');
    await first.stop();
    tb = undefined;

    for (let i = 0; i < 10; i++) {
      slack.state.history('C1').push({ type: 'message', ts: slack.state.nextTs(), text: `d${i}`, user: i % 2 ? 'U2' : 'U1' });
    }
    // l3, relayed before but read again, was edited meanwhile: its copy gets the edit.
    slack.state.edit('C1', liveTs[3] ?? '', 'l3 fixed');

    const second = await startTestBridge({ store: 'redis', prefix: first.prefix, bots: [bot(), other] });
    tb = second;
    await waitFor(() => copies().length >= 15 && copies().includes('Bob Dobbs: l3 fixed'), 20_000, 'caught-up copies');
    await second.settle();
    await new Promise((r) => setTimeout(r, 300));
    await second.settle();

    const name = (i: number): string => (i % 2 ? 'Bob Dobbs' : 'Alice');
    expect(copies()).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `${name(i)}: l${i}${i === 3 ? ' fixed' : ''}`),
      ...Array.from({ length: 10 }, (_, i) => `${name(i)}: d${i}`),
    ]);
    // l3 and l4 reached the core again (12 posts: 2 read again + 10 missed) and were not posted again.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('sameroom_inbound_events_total{platform="slack",kind="post"} 12');
    expect(metrics).toContain('sameroom_inbound_events_total{platform="slack",kind="edit"} 1');
    expect(other.sendLog.filter((p) => /^[ld]\d+$/.test(p.text))).toHaveLength(15);
    const history = slack.calls('conversations.history');
    // The missed messages, then one lookback page before the watermark.
    expect(history.map((c) => [c.params.channel, c.params.oldest, c.params.latest])).toEqual([
      ['C1', liveTs[2], undefined],
      ['C1', undefined, liveTs[2]],
    ]);
    // The watermark: the newest ts read, here the edit made after the last message.
    expect(await second.bridge.store.get(keys.botState('slack', 'last:C1'))).toBe(slack.state.findMessage('C1', liveTs[3] ?? '')?.edited?.ts);
  }, 60_000);

  it('relays thread replies made while it was down as replies to the right copies, and edits made meanwhile, once', async () => {
    const { slack, bot, other, first, live } = await start();
    const missed = (user: string, text: string, thread_ts?: string): string => {
      const ts = slack.state.nextTs();
      slack.state.history('C1').push({ type: 'message', ts, text, user, ...(thread_ts ? { thread_ts } : {}) });
      return ts;
    };
    // What people in the other room see: author, text, and the text of the copy it replies to.
    const shown = (): [string, string, string | null][] => {
      const room = other.room('lobby').filter((m) => m.as !== 'bridge-bot' && !m.text.startsWith('-sameroom'));
      const byId = new Map<string, Shown>(room.map((m) => [m.id, m]));
      return room.map((m) => [m.as, m.text, m.replyTo ? (byId.get(m.replyTo)?.text ?? `missing ${m.replyTo}`) : null]);
    };

    await live('U1', '-sameroom open');
    await waitFor(() => slack.posts.some((p) => p.channel === 'C1' && p.text.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(slack.posts.at(-1)?.text ?? '')}`);
    await first.settle();

    const before = await live('U1', 'before');
    await live('U2', 'keep me');
    const typo = await live('U1', 'tpyo');
    await waitFor(() => shown().length === 3, 10_000, 'live copies');
    await first.settle();
    await first.stop();
    tb = undefined;

    // While the bridge is down: replies to a thread from before and to one started meanwhile,
    // an edit of a relayed message, and a message posted and then edited.
    missed('U2', 'to before 1', before);
    const during = missed('U1', 'during');
    missed('U2', 'to during 1', during);
    missed('U1', 'to before 2', before);
    slack.state.edit('C1', typo, 'typo fixed');
    const late = missed('U2', 'late draft');
    slack.state.edit('C1', late, 'late final');
    missed('U1', 'to during 2', during);

    const second = await startTestBridge({ store: 'redis', prefix: first.prefix, bots: [bot(), other] });
    tb = second;
    await waitFor(() => shown().length >= 9 && shown().some(([, text]) => text === 'typo fixed'), 20_000, 'caught-up copies');
    await second.settle();
    await new Promise((r) => setTimeout(r, 300));
    await second.settle();

    expect(shown()).toEqual([
      ['Alice', 'before', null],
      ['Bob Dobbs', 'keep me', null],
      ['Alice', 'typo fixed', null],
      ['Bob Dobbs', 'to before 1', 'before'],
      ['Alice', 'during', null],
      ['Bob Dobbs', 'to during 1', 'during'],
      ['Alice', 'to before 2', 'before'],
      ['Bob Dobbs', 'late final', null],
      ['Alice', 'to during 2', 'during'],
    ]);
    // Each copy posted once; the message posted and edited meanwhile was not edited afterwards.
    const sent = (): string[] => other.sendLog.filter((p) => !p.text.startsWith('-sameroom')).map((p) => p.text);
    expect(sent()).toHaveLength(9);
    expect(new Set(sent()).size).toBe(9);
    expect(slack.calls('conversations.replies').map((c) => [c.params.ts, c.params.oldest])).toEqual([
      [during, typo],
      [before, typo],
    ]);

    // A second restart with nothing new relays nothing.
    await second.stop();
    tb = undefined;
    const historyCalls = slack.calls('conversations.history').length;
    const third = await startTestBridge({ store: 'redis', prefix: first.prefix, bots: [bot(), other] });
    tb = third;
    await waitFor(() => slack.calls('conversations.history').length >= historyCalls + 2, 10_000, 'history read again');
    await new Promise((r) => setTimeout(r, 300));
    await third.settle();
    expect(sent()).toHaveLength(9);
    expect(shown()).toHaveLength(9);
    expect(shown()[2]).toEqual(['Alice', 'typo fixed', null]);
    expect(slack.calls('conversations.replies')).toHaveLength(2);
  }, 60_000);
});
