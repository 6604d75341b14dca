/**
 * Slack catch-up through the bridge: the bridge is down while people keep posting in a bridged
 * Slack channel; on restart the Slack bot reads what it missed (conversations.history) and the
 * other room gets each message exactly once, in order, including messages the catch-up reads
 * again (a watermark that lagged behind, as after a crash) under another event id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { keys } from '../../src/keys.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { seed } from '../slack/rig.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { waitFor } from '../e2e/waitfor.js';

describe('Slack catch-up after the bridge was down', () => {
  let fake: FakeSlack | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop().catch(() => undefined);
    await fake?.close();
  });

  it('relays what was posted while it was down, once, in order', async () => {
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
    const copies = (): string[] => other.lines('lobby').filter((l) => /^(Alice|Bob Dobbs): [ld]\d+$/.test(l));

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

    const second = await startTestBridge({ store: 'redis', prefix: first.prefix, bots: [bot(), other] });
    tb = second;
    await waitFor(() => copies().length >= 15, 20_000, 'caught-up copies');
    await second.settle();
    await new Promise((r) => setTimeout(r, 300));
    await second.settle();

    const name = (i: number): string => (i % 2 ? 'Bob Dobbs' : 'Alice');
    expect(copies()).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `${name(i)}: l${i}`),
      ...Array.from({ length: 10 }, (_, i) => `${name(i)}: d${i}`),
    ]);
    // l3 and l4 reached the core again (12 posts: 2 read again + 10 missed) and were not posted again.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('sameroom_inbound_events_total{platform="slack",kind="post"} 12');
    expect(other.sendLog.filter((p) => /^[ld]\d+$/.test(p.text))).toHaveLength(15);
    const history = slack.calls('conversations.history');
    expect(history.map((c) => [c.params.channel, c.params.oldest])).toEqual([['C1', liveTs[2]]]);
    expect(await second.bridge.store.get(keys.botState('slack', 'last:C1'))).toBe(slack.state.history('C1').at(-1)?.ts);
  }, 60_000);
});
