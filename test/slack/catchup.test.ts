/**
 * Catch-up after downtime, bot level (real Bolt and WebClient against the fake, Events API):
 * the bot keeps the newest ts per channel in its state as messages arrive; on start it reads
 * conversations.history after it, every page, oldest first, and ingests what it missed once.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHistory } from '../../bots/slack/catchup.js';
import { compareTs } from '../../bots/slack/watermarks.js';
import { createSlackBot, type SlackBot, type SlackConfig } from '../../bots/slack/index.js';
import type { Inbound, InboundPost, RemoteMessageId, RoomKey } from '../../src/model.js';
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
  const live = async (run: Run, channel: string, user: string, text: string, o: { eventId?: string; thread_ts?: string } = {}): Promise<string> => {
    const ev = fake.events.message({ channel, user, text, ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}) });
    fake.state.history(channel).push({ type: 'message', ts: ev.ts, text, user, ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}) });
    const res = await fake.postEvent(`${run.harness.url()}/slack/events`, fake.events.envelope(ev, o.eventId));
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

  it("the fake's conversations.replies follows Slack: the parent first, oldest exclusive, cursor pages; parents carry their thread", async () => {
    const parent = missed('C1', 'U1', 'parent');
    const other = missed('C1', 'U2', 'no replies');
    const replies = Array.from({ length: 5 }, (_, i) => missed('C1', i % 2 ? 'U2' : 'U1', `r${i}`, { thread_ts: parent }));
    fake.state.edit('C1', replies[1] as string, 'r1 edited');
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });

    const history = await client.conversations.history({ channel: 'C1' });
    expect(history.messages?.map((m) => m.text)).toEqual(['no replies', 'parent']);
    expect(history.messages?.[1]).toMatchObject({ ts: parent, thread_ts: parent, reply_count: 5, reply_users_count: 2, latest_reply: replies[4] });
    expect(history.messages?.[1]?.reply_users?.sort()).toEqual(['U1', 'U2']);
    expect(history.messages?.[0]).not.toHaveProperty('reply_count');
    expect(history.messages?.[0]).not.toHaveProperty('thread_ts');

    const all = await client.conversations.replies({ channel: 'C1', ts: parent });
    expect(all.messages?.map((m) => m.text)).toEqual(['parent', 'r0', 'r1 edited', 'r2', 'r3', 'r4']);
    expect(all.messages?.[0]).toMatchObject({ reply_count: 5, latest_reply: replies[4] });
    expect(all.messages?.[2]?.edited).toEqual({ user: 'U2', ts: expect.any(String) });
    expect(all.has_more).toBe(false);
    // Asked by a reply's ts: the same thread.
    expect((await client.conversations.replies({ channel: 'C1', ts: replies[2] as string })).messages?.map((m) => m.text)).toHaveLength(6);
    // `oldest` is exclusive and does not drop the parent; pages go newer, without the parent again.
    const first = await client.conversations.replies({ channel: 'C1', ts: parent, oldest: replies[0], limit: 3 });
    expect(first.messages?.map((m) => m.text)).toEqual(['parent', 'r1 edited', 'r2']);
    expect(first.has_more).toBe(true);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const second = await client.conversations.replies({ channel: 'C1', ts: parent, oldest: replies[0], limit: 3, ...(cursor ? { cursor } : {}) });
    expect(second.messages?.map((m) => m.text)).toEqual(['r3', 'r4']);
    expect(second.has_more).toBe(false);
    const incl = await client.conversations.replies({ channel: 'C1', ts: parent, oldest: replies[3], inclusive: true });
    expect(incl.messages?.map((m) => m.text)).toEqual(['parent', 'r3', 'r4']);
    // A message without replies is a thread of one.
    expect((await client.conversations.replies({ channel: 'C1', ts: other })).messages?.map((m) => m.text)).toEqual(['no replies']);
    await expect(client.conversations.replies({ channel: 'C1', ts: '1.000001' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });
    // Replies read from history as message events, with their thread and edit.
    expect(fromHistory(all.messages?.[2] ?? {}, 'C1')).toMatchObject({ channel: 'C1', ts: replies[1], thread_ts: parent, text: 'r1 edited', edited: { user: 'U2' } });
    expect(fromHistory(history.messages?.[1] ?? {}, 'C1')).toMatchObject({ reply_count: 5, latest_reply: replies[4] });
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
    const texts: string[] = [];
    let reply = '';
    for (let i = 0; i < 17; i++) {
      c1.push(missed('C1', i % 2 ? 'U2' : 'U1', `c${i}`));
      texts.push(`c${i}`);
      if (i === 5) missed('C1', '', 'a copy', { subtype: 'bot_message', bot_id: fake.state.bot.botId, username: 'Bob' });
      if (i === 9) missed('C1', 'U2', '<@U2> has joined the channel', { subtype: 'channel_join' });
      if (i === 12) {
        reply = missed('C1', 'U1', 'reply in thread', { thread_ts: c1[0] as string });
        c1.push(reply);
        texts.push('reply in thread');
      }
    }
    const g1 = [missed('G1', 'U1', 'g0'), missed('G1', 'U2', 'g1')];
    for (let i = 0; i < 3; i++) missed('D1', 'U1', `d${i}`);

    const second = await boot(first.harness.state, { historyPageSize: 5 });
    await waitFor(() => posts(second).length >= 20, 10_000, 'caught-up posts');
    await second.bot.stop();
    const got = posts(second);
    // The thread reply in its place by ts, as a reply to its parent.
    expect(got.filter((p) => p.room.channel === 'C1').map((p) => [p.id, p.eventId, p.text])).toEqual(
      c1.map((ts, i) => [ts, `history:C1:${ts}`, texts[i]]),
    );
    expect(got.find((p) => p.id === reply)?.replyTo).toBe(c1[0]);
    expect(got.filter((p) => p.replyTo !== undefined)).toHaveLength(1);
    expect(got.filter((p) => p.room.channel === 'G1').map((p) => p.text)).toEqual(['g0', 'g1']);
    expect(got).toHaveLength(20);
    expect(got.find((p) => p.id === c1[1])?.author).toMatchObject({ id: 'U2', name: 'Bob Dobbs' });

    const calls = fake.calls('conversations.history');
    expect(new Set(calls.map((c) => c.params.channel))).toEqual(new Set(['C1', 'G1']));
    const c1Calls = calls.filter((c) => c.params.channel === 'C1' && c.params.oldest !== undefined);
    // 17 posts + a copy + a join = 19 top-level messages after c0: four pages of 5.
    expect(c1Calls).toHaveLength(4);
    expect(c1Calls.every((c) => c.params.oldest === c0 && c.params.limit === '5')).toBe(true);
    expect(c1Calls.map((c) => Boolean(c.params.cursor))).toEqual([false, true, true, true]);
    expect(calls.find((c) => c.params.channel === 'G1' && c.params.oldest !== undefined)?.params.oldest).toBe(g0);
    // One lookback page per channel, before the watermark.
    const lookbacks = calls.filter((c) => c.params.latest !== undefined);
    expect(lookbacks.map((c) => [c.params.channel, c.params.latest, c.params.inclusive, c.params.limit]).sort()).toEqual(
      [['C1', c0, 'true', '100'], ['G1', g0, 'true', '100']].sort(),
    );
    // c0..c16 are newer than the watermark: only c1[0] has replies.
    expect(fake.calls('conversations.replies').map((c) => [c.params.channel, c.params.ts, c.params.oldest])).toEqual([['C1', c1[0], c0]]);
    expect(second.harness.state.get('last:C1')).toBe(c1.at(-1));
    expect(second.harness.state.get('last:G1')).toBe(g1.at(-1));
    expect(JSON.parse(second.harness.state.get('threads:C1') ?? '[]')).toEqual([c1[0]]);

    // Started again with nothing new: nothing ingested, no thread read (the lookback shows
    // c1[0]'s latest reply is not newer than the watermark).
    const third = await boot(second.harness.state);
    await waitFor(() => fake.calls('conversations.history').length === calls.length + 4, 10_000, 'history read again');
    await new Promise((r) => setTimeout(r, 200));
    await third.bot.stop();
    expect(third.harness.events).toHaveLength(0);
    expect(
      fake
        .calls('conversations.history')
        .slice(-4)
        .filter((c) => c.params.oldest !== undefined)
        .map((c) => c.params.oldest)
        .sort(),
    ).toEqual([c1.at(-1), g1.at(-1)].sort());
    expect(fake.calls('conversations.replies')).toHaveLength(1);
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
    // The window read twice (429, then served), the lookback once.
    expect(fake.calls('conversations.history').filter((c) => c.params.oldest !== undefined)).toHaveLength(2);
    expect(fake.calls('conversations.history').filter((c) => c.params.latest !== undefined)).toHaveLength(1);
  });

  it('catches up thread replies (to old, recent and new threads) and edits of older messages, each once, in order', async () => {
    // Before the downtime: an old thread the bot heard a reply in (remembered), messages that
    // push it out of the lookback (2 here), a recent message that gets its first replies while
    // the bot is down, and one that is edited while it is down.
    const first = await boot(new Map(), { historyLookback: 2 });
    const old = await live(first, 'C1', 'U1', 'old thread');
    const r0 = await live(first, 'C1', 'U2', 'r0', { thread_ts: old });
    for (let i = 0; i < 3; i++) await live(first, 'C1', 'U1', `filler ${i}`);
    const recent = await live(first, 'C1', 'U2', 'recent');
    const edited = await live(first, 'C1', 'U1', 'typo');
    await waitFor(() => posts(first).length === 7, 10_000, 'live posts');
    expect(posts(first).find((p) => p.id === r0)?.replyTo).toBe(old);
    expect(JSON.parse(first.harness.state.get('threads:C1') ?? '[]')).toEqual([old]);
    await first.harness.close(first.bot);
    runs.splice(0);

    // While it is down.
    const n0 = missed('C1', 'U1', 'n0');
    const rOld1 = missed('C1', 'U2', 'to old 1', { thread_ts: old });
    const rRecent1 = missed('C1', 'U1', 'to recent 1', { thread_ts: recent });
    const fresh = missed('C1', 'U2', 'new thread');
    const rFresh1 = missed('C1', 'U1', 'to new 1', { thread_ts: fresh });
    const n1 = missed('C1', 'U2', 'n1');
    const rOld2 = missed('C1', 'U1', 'to old 2', { thread_ts: old });
    const broadcast = missed('C1', 'U2', 'to recent 2, also in the channel', { thread_ts: recent, subtype: 'thread_broadcast' });
    const x = missed('C1', 'U1', 'x draft');
    fake.state.edit('C1', edited, 'fixed');
    fake.state.edit('C1', x, 'x final');
    const rFresh2 = missed('C1', 'U2', 'to new 2', { thread_ts: fresh });

    const second = await boot(first.harness.state, { historyLookback: 2 });
    await waitFor(() => second.harness.events.some((e) => e.kind === 'edit' && e.id === edited), 10_000, 'caught-up edit');
    await second.bot.stop();
    const seen = second.harness.events.map((e) => [e.kind, e.id, e.kind === 'post' || e.kind === 'edit' ? e.text : '', e.kind === 'post' ? (e.replyTo ?? null) : null]);
    expect(seen).toEqual([
      ['post', n0, 'n0', null],
      ['post', rOld1, 'to old 1', old],
      ['post', rRecent1, 'to recent 1', recent],
      ['post', fresh, 'new thread', null],
      ['post', rFresh1, 'to new 1', fresh],
      ['post', n1, 'n1', null],
      ['post', rOld2, 'to old 2', old],
      ['post', broadcast, 'to recent 2, also in the channel', recent],
      // Posted and edited while down: an edit for copies it might have had (none: the core
      // drops it), then the post with the current text.
      ['edit', x, 'x final', null],
      ['post', x, 'x final', null],
      ['post', rFresh2, 'to new 2', fresh],
      // Edits of older messages after the posts.
      ['edit', edited, 'fixed', null],
    ]);
    const edit = second.harness.events.find((e) => e.kind === 'edit' && e.id === edited);
    expect(edit).toMatchObject({ eventId: expect.stringMatching(new RegExp(`^history-edit:C1:${edited}:`)), author: { id: 'U1', name: 'Alice' } });

    // Threads read: the new one and the recent one (seen in the reads, latest reply newest
    // first), then the remembered old one; each after the watermark.
    expect(fake.calls('conversations.replies').map((c) => [c.params.ts, c.params.oldest])).toEqual([
      [fresh, edited],
      [recent, edited],
      [old, edited],
    ]);
    expect(JSON.parse(second.harness.state.get('threads:C1') ?? '[]')).toEqual([fresh, recent, old]);
    // The watermark is past the newest message and the newest edit.
    const marked = second.harness.state.get('last:C1') ?? '';
    expect(compareTs(marked, rFresh2)).toBeGreaterThanOrEqual(0);
    expect(compareTs(marked, fake.state.findMessage('C1', x)?.edited?.ts ?? '')).toBeGreaterThanOrEqual(0);

    // Started again with nothing new: nothing ingested.
    const repliesBefore = fake.calls('conversations.replies').length;
    const third = await boot(second.harness.state, { historyLookback: 2 });
    await waitFor(() => fake.calls('conversations.replies').length >= repliesBefore + 3, 10_000, 'threads read again');
    await new Promise((r) => setTimeout(r, 200));
    await third.bot.stop();
    expect(third.harness.events).toHaveLength(0);
  });

  it('a live edit moves the watermark; a copy posted in a thread and a live reply mark the thread active', async () => {
    const first = await boot();
    const ts = await live(first, 'C1', 'U1', 'draft');
    await waitFor(() => posts(first).length === 1, 10_000, 'live post');
    const original = fake.events.message({ channel: 'C1', user: 'U1', text: 'draft', ts });
    const changed = fake.events.changed(original, 'final');
    const stored = fake.state.findMessage('C1', ts);
    if (stored) Object.assign(stored, { text: 'final', edited: { user: 'U1', ts: changed.ts } });
    await fake.postEvent(`${first.harness.url()}/slack/events`, fake.events.envelope(changed));
    await first.harness.waitFor((e) => e.kind === 'edit');
    await waitFor(() => first.harness.state.get('last:C1') === changed.ts, 5000, 'watermark at the edit');

    const parent = missed('C1', 'U2', 'a parent');
    await first.bot.send({
      room: { platform: 'slack', workspace: fake.state.team.id, channel: 'C1' },
      author: { id: 'bob', name: 'Bob' },
      text: 'a copy in the thread',
      attachments: [],
      replyTo: parent as RemoteMessageId,
      origin: 'web::lobby' as RoomKey,
      idempotencyKey: 'k1',
    });
    expect(JSON.parse(first.harness.state.get('threads:C1') ?? '[]')).toEqual([parent]);
    await live(first, 'C1', 'U1', 'a reply', { thread_ts: ts });
    await waitFor(() => posts(first).length === 2, 10_000, 'live reply');
    expect(JSON.parse(first.harness.state.get('threads:C1') ?? '[]')).toEqual([ts, parent]);
    await first.harness.close(first.bot);
    runs.splice(0);

    // Nothing happened meanwhile: the edit heard live is not replayed, and the lookback shows
    // that neither thread has a reply after the watermark (no thread is read).
    const second = await boot(first.harness.state);
    await waitFor(() => fake.calls('conversations.history').length >= 2, 10_000, 'history read');
    await new Promise((r) => setTimeout(r, 200));
    await second.bot.stop();
    expect(second.harness.events).toHaveLength(0);
    expect(fake.calls('conversations.replies')).toHaveLength(0);
  });

  it('waits out a rate limit on a thread with new replies, and stops reading remembered threads at the first one', async () => {
    const first = await boot();
    const q = await live(first, 'C1', 'U1', 'q');
    await live(first, 'C1', 'U2', 'to q', { thread_ts: q });
    await waitFor(() => posts(first).length === 2, 10_000, 'live posts');
    await first.harness.close(first.bot);
    runs.splice(0);

    // A new thread (its parent in the missed history says it has replies) and a remembered one.
    const n = missed('C1', 'U1', 'n');
    const toN = missed('C1', 'U2', 'to n', { thread_ts: n });
    fake.failNext('conversations.replies', { status: 429, retryAfter: 1 });
    let started = Date.now();
    const second = await boot(first.harness.state, { historyLookback: 0 });
    await waitFor(() => posts(second).length >= 2 && fake.calls('conversations.replies').length >= 3, 10_000, 'caught up');
    await second.harness.close(second.bot);
    runs.splice(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(posts(second).map((p) => [p.id, p.replyTo ?? null])).toEqual([[n, null], [toN, n]]);
    expect(fake.calls('conversations.replies').map((c) => c.params.ts)).toEqual([n, n, q]);

    // Remembered threads are read on speculation: a rate limit ends that at once.
    const later = missed('C1', 'U1', 'later');
    fake.failNext('conversations.replies', { status: 429, retryAfter: 30 });
    started = Date.now();
    const third = await boot(second.harness.state, { historyLookback: 0 });
    await waitFor(() => posts(third).length >= 1, 10_000, 'caught up');
    await waitFor(() => third.harness.state.get('last:C1') === later, 10_000, 'watermark');
    await third.bot.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(posts(third).map((p) => p.id)).toEqual([later]);
    expect(fake.calls('conversations.replies').map((c) => c.params.ts)).toEqual([n, n, q, n]);
  });

  it('forgets a remembered thread that is gone, and catches up the rest', async () => {
    const first = await boot();
    const before = await live(first, 'C1', 'U1', 'before');
    await waitFor(() => posts(first).length === 1, 10_000, 'live post');
    await first.harness.close(first.bot);
    runs.splice(0);
    const state = new Map(first.harness.state);
    state.set('threads:C1', JSON.stringify(['1000000000.000001', before]));
    const after = missed('C1', 'U2', 'after');
    const second = await boot(state, { historyLookback: 0 });
    await waitFor(() => posts(second).length === 1, 10_000, 'caught-up post');
    await waitFor(() => second.harness.state.get('threads:C1') === JSON.stringify([before]), 10_000, 'gone thread forgotten');
    await second.bot.stop();
    expect(posts(second).map((p) => p.id)).toEqual([after]);
    expect(fake.calls('conversations.history').filter((c) => c.params.latest !== undefined)).toHaveLength(0);
  });

  it('a message relayed before under a watermark that lagged behind gets its edit first', async () => {
    const first = await boot();
    const a = await live(first, 'C1', 'U1', 'a');
    const b = await live(first, 'C1', 'U2', 'b draft');
    await waitFor(() => posts(first).length === 2, 10_000, 'live posts');
    await first.harness.close(first.bot);
    runs.splice(0);
    const state = new Map(first.harness.state);
    state.set('last:C1', a); // as if the process had died before storing b's watermark
    fake.state.edit('C1', b, 'b final');
    const second = await boot(state);
    await waitFor(() => second.harness.events.length >= 2, 10_000, 'caught up');
    await second.bot.stop();
    expect(second.harness.events.map((e) => [e.kind, e.id, e.eventId])).toEqual([
      ['edit', b, expect.stringMatching(new RegExp(`^history-edit:C1:${b}:`))],
      ['post', b, `history:C1:${b}`],
    ]);
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
