/**
 * Catch-up after downtime, bot level (real Bolt and WebClient against the fake, Events API):
 * the bot keeps the newest ts per channel in its state as messages arrive; on start it reads
 * conversations.history after it, every page, oldest first, and ingests what it missed once.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareTs, fromHistory } from '../../bots/slack/catchup.js';
import { createSlackBot, type SlackBot, type SlackConfig } from '../../bots/slack/index.js';
import type { Inbound, InboundPost } from '../../src/model.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { FakeSlack, type StoredMessage } from '../fakes/slack/index.js';
import { waitFor } from '../e2e/waitfor.js';
import { seed } from './rig.js';

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';

interface Run {
  readonly harness: Harness;
  readonly bot: SlackBot;
}

describe('Slack catch-up after downtime', () => {
  let fake: FakeSlack;
  const runs: Run[] = [];

  beforeEach(async () => {
    fake = await FakeSlack.start();
    seed(fake);
  });
  afterEach(async () => {
    for (const r of runs.splice(0)) await r.harness.close(r.bot).catch(() => undefined);
    await fake.close();
  });

  /** A bot process: a new harness (own HTTP server) that starts from `state` (what Redis kept). */
  const boot = async (state: ReadonlyMap<string, string> = new Map(), config: Partial<SlackConfig> = {}): Promise<Run> => {
    const harness = createHarness();
    for (const [k, v] of state) harness.state.set(k, v);
    const bot = createSlackBot({ botToken: fake.botToken, apiUrl: fake.apiUrl, signingSecret: fake.signingSecret, ...config });
    await bot.start(harness.ctx);
    await harness.listen();
    const run = { harness, bot };
    runs.push(run);
    return run;
  };

  /** Someone posts while the bot listens: Slack stores it and sends the event. */
  const live = async (run: Run, channel: string, user: string, text: string, eventId?: string): Promise<string> => {
    const ev = fake.events.message({ channel, user, text });
    fake.state.history(channel).push({ type: 'message', ts: ev.ts, text, user });
    const res = await fake.postEvent(`${run.harness.url()}/slack/events`, fake.events.envelope(ev, eventId));
    expect(res.status).toBe(200);
    return ev.ts;
  };

  /** Someone posts while the bot is down: only Slack's history has it. */
  const missed = (channel: string, user: string, text: string, extra: Partial<StoredMessage> = {}): string => {
    const ts = fake.state.nextTs();
    fake.state.history(channel).push({ type: 'message', ts, text, user, ...extra });
    return ts;
  };

  const posts = (run: Run): InboundPost[] => run.harness.events.filter(isPost);

  it("the fake's conversations.history follows Slack: oldest exclusive, newest first, cursor pages", async () => {
    const ts = Array.from({ length: 5 }, (_, i) => missed('C1', 'U1', `h${i}`));
    missed('C1', 'U2', 'in a thread', { thread_ts: ts[0] as string });
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const all = await client.conversations.history({ channel: 'C1', oldest: ts[0] });
    expect(all.messages?.map((m) => m.text)).toEqual(['h4', 'h3', 'h2', 'h1']);
    expect(all.has_more).toBe(false);
    expect(all.response_metadata?.next_cursor ?? '').toBe('');
    const incl = await client.conversations.history({ channel: 'C1', oldest: ts[0], inclusive: true });
    expect(incl.messages?.map((m) => m.text)).toEqual(['h4', 'h3', 'h2', 'h1', 'h0']);
    const first = await client.conversations.history({ channel: 'C1', oldest: ts[0], limit: 3 });
    expect(first.messages?.map((m) => m.text)).toEqual(['h4', 'h3', 'h2']);
    expect(first.has_more).toBe(true);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const second = await client.conversations.history({ channel: 'C1', oldest: ts[0], limit: 3, ...(cursor ? { cursor } : {}) });
    expect(second.messages?.map((m) => m.text)).toEqual(['h1']);
    expect(second.has_more).toBe(false);
    const upTo = await client.conversations.history({ channel: 'C1', latest: ts[2] });
    expect(upTo.messages?.map((m) => m.text)).toEqual(['h1', 'h0']);
    expect(fromHistory(all.messages?.[0] ?? {}, 'C1')).toMatchObject({ type: 'message', channel: 'C1', user: 'U1', text: 'h4', ts: ts[4] });
    expect(compareTs('1700000000.000100', '1700000000.000099')).toBe(1);
    expect(compareTs('1700000001.000001', '1700000000.999999')).toBe(1);
    expect(compareTs('1700000000.5', '1700000000.500000')).toBe(0);
  });

  it('keeps the newest message ts per channel in its state as messages arrive', async () => {
    const run = await boot();
    await live(run, 'C1', 'U1', 'one');
    const c2 = await live(run, 'C1', 'U2', 'two');
    const g1 = await live(run, 'G1', 'U1', 'secret');
    await waitFor(() => posts(run).length === 3, 10_000, 'three posts');
    // The bot's own copies and joins are not ingested and do not move the watermark.
    const own = fake.events.botMessage({ channel: 'C1', bot_id: fake.state.bot.botId, username: 'Bob', text: 'a copy' });
    await fake.postEvent(`${run.harness.url()}/slack/events`, fake.events.envelope(own));
    await fake.postEvent(`${run.harness.url()}/slack/events`, fake.events.envelope(fake.events.join({ channel: 'C1', user: 'U2' })));
    await new Promise((r) => setTimeout(r, 200));
    expect(run.harness.state.get('last:C1')).toBe(c2);
    expect(run.harness.state.get('last:G1')).toBe(g1);
    expect(JSON.parse(run.harness.state.get('channels') ?? '[]')).toEqual(['C1', 'G1']);
    expect(posts(run)).toHaveLength(3);
    expect(fake.calls('conversations.history')).toHaveLength(0);
  });

  it('on start, reads what it missed in the channels it heard (every page, oldest first) and ingests each message once', async () => {
    const first = await boot();
    const c0 = await live(first, 'C1', 'U1', 'before C1');
    const g0 = await live(first, 'G1', 'U2', 'before G1');
    await waitFor(() => posts(first).length === 2, 10_000, 'live posts');
    await first.harness.close(first.bot);
    runs.splice(0);

    // While the bot is down: 17 posts in C1 among a bot copy, a join and a thread reply; 2 in
    // G1; 3 in D1, which the bot never heard from (not read: its whole history is not ours).
    const c1: string[] = [];
    for (let i = 0; i < 17; i++) {
      c1.push(missed('C1', i % 2 ? 'U2' : 'U1', `c${i}`));
      if (i === 5) missed('C1', '', 'a copy', { subtype: 'bot_message', bot_id: fake.state.bot.botId, username: 'Bob' });
      if (i === 9) missed('C1', 'U2', '<@U2> has joined the channel', { subtype: 'channel_join' });
      if (i === 12) missed('C1', 'U1', 'reply in thread', { thread_ts: c1[0] as string });
    }
    const g1 = [missed('G1', 'U1', 'g0'), missed('G1', 'U2', 'g1')];
    for (let i = 0; i < 3; i++) missed('D1', 'U1', `d${i}`);

    const second = await boot(first.harness.state, { historyPageSize: 5 });
    await waitFor(() => posts(second).length >= 19, 10_000, 'caught-up posts');
    await second.bot.stop();
    const got = posts(second);
    expect(got.filter((p) => p.room.channel === 'C1').map((p) => [p.id, p.eventId, p.text])).toEqual(
      c1.map((ts, i) => [ts, `history:C1:${ts}`, `c${i}`]),
    );
    expect(got.filter((p) => p.room.channel === 'G1').map((p) => p.text)).toEqual(['g0', 'g1']);
    expect(got).toHaveLength(19);
    expect(got.find((p) => p.id === c1[1])?.author).toMatchObject({ id: 'U2', name: 'Bob Dobbs' });

    const calls = fake.calls('conversations.history');
    expect(new Set(calls.map((c) => c.params.channel))).toEqual(new Set(['C1', 'G1']));
    const c1Calls = calls.filter((c) => c.params.channel === 'C1');
    // 17 posts + a copy + a join = 19 top-level messages after c0: four pages of 5.
    expect(c1Calls).toHaveLength(4);
    expect(c1Calls.every((c) => c.params.oldest === c0 && c.params.limit === '5')).toBe(true);
    expect(c1Calls.map((c) => Boolean(c.params.cursor))).toEqual([false, true, true, true]);
    expect(calls.find((c) => c.params.channel === 'G1')?.params.oldest).toBe(g0);
    expect(second.harness.state.get('last:C1')).toBe(c1.at(-1));
    expect(second.harness.state.get('last:G1')).toBe(g1.at(-1));

    // Started again with nothing new: nothing ingested.
    const third = await boot(second.harness.state);
    await waitFor(() => fake.calls('conversations.history').length === calls.length + 2, 10_000, 'history read again');
    await third.bot.stop();
    expect(posts(third)).toHaveLength(0);
    expect(fake.calls('conversations.history').slice(-2).map((c) => c.params.oldest).sort()).toEqual([c1.at(-1), g1.at(-1)].sort());
  });

  it('waits out a rate-limited history read; live events wait behind the catch-up and a message heard both ways counts once', async () => {
    const first = await boot();
    await live(first, 'C1', 'U1', 'before');
    await waitFor(() => posts(first).length === 1, 10_000, 'live post');
    await first.harness.close(first.bot);
    runs.splice(0);

    const down = [missed('C1', 'U1', 'm0'), missed('C1', 'U2', 'm1'), missed('C1', 'U1', 'm2')];
    fake.failNext('conversations.history', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const second = await boot(first.harness.state);
    // While the catch-up waits: Slack redelivers m2 as a live event, and someone posts anew.
    const redelivered = fake.events.message({ channel: 'C1', user: 'U1', text: 'm2', ts: down[2] as string });
    const res = await fake.postEvent(`${second.harness.url()}/slack/events`, fake.events.envelope(redelivered, 'EvLATE'), { retryNum: 1 });
    expect(res.status).toBe(200);
    const fresh = await live(second, 'C1', 'U2', 'after');
    await waitFor(() => posts(second).length >= 4, 10_000, 'caught-up and live posts');
    await second.bot.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(posts(second).map((p) => [p.id, p.eventId])).toEqual([
      [down[0], `history:C1:${down[0]}`],
      [down[1], `history:C1:${down[1]}`],
      [down[2], `history:C1:${down[2]}`],
      // Also in the history by the time the read is retried: heard both ways, ingested once.
      [fresh, expect.stringMatching(/^(Ev|history:C1:)/)],
    ]);
    expect(fake.calls('conversations.history')).toHaveLength(2);
  });

  it('reads no history when catch-up is off', async () => {
    const first = await boot();
    await live(first, 'C1', 'U1', 'before');
    await waitFor(() => posts(first).length === 1, 10_000, 'live post');
    await first.harness.close(first.bot);
    runs.splice(0);
    missed('C1', 'U1', 'lost');
    const second = await boot(first.harness.state, { catchUp: false });
    await second.bot.stop();
    expect(fake.calls('conversations.history')).toHaveLength(0);
    expect(posts(second)).toHaveLength(0);
  });
});
