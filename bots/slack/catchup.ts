/**
 * Catch-up after downtime. Slack does not queue Events API deliveries for an app that was down
 * (it retries a few times within minutes, then drops them), so on start the bot reads what it
 * missed from conversations.history and conversations.replies.
 *
 * State (the bot's, shared by every process): per channel heard, the newest ts ingested
 * (`last:<channel>`, the watermark: a message, or a live edit) and the threads recently active
 * there (`threads:<channel>`, parent ts, most recent first, bounded); the channels heard
 * (`channels`, a JSON list).
 *
 * On start, for each channel heard, with `since` = its watermark:
 * - conversations.history with `oldest=since` (exclusive), every page (`has_more` /
 *   `response_metadata.next_cursor`): the top-level messages (and thread broadcasts) missed;
 * - one page of conversations.history with `latest=since&inclusive=true` (the lookback): the
 *   newest messages from before the downtime, for their `edited.ts` and their threads'
 *   `latest_reply` (history returns a message only when its own ts is in the range asked for);
 * - conversations.replies with `oldest=since`, every page, for each thread that may have new
 *   replies: parents in either read with `reply_count` > 0 and `latest_reply` > since, threads
 *   of missed broadcasts, and the remembered threads (whose parents are older than the lookback;
 *   read last, and no longer once Slack rate-limits them: nothing says they have new replies).
 *   Slack puts the parent first in the first page, whatever `oldest` says: it is not a reply,
 *   but its `edited` counts like that of a lookback message.
 * Then it ingests, through the same conversion as live events: every message with ts > since,
 * top-level and replies, oldest first (a reply as a reply to its thread's parent, like a live
 * one); then every older message whose `edited.ts` > since, as an edit, in the order of the
 * edits. A message both posted and edited during the downtime is posted once with its current
 * text (an edit of it goes first: if it had been relayed before after all, under a watermark
 * that lagged behind, its copies get the edit; otherwise the core drops it). The watermark moves
 * to the newest ts read (of a message or an edit) once everything is ingested.
 *
 * Catch-up events carry the event ids `history:<channel>:<ts>` and
 * `history-edit:<channel>:<ts>:<edited ts>`: two processes catching up the same message share
 * them (the core's seen-event check drops the second). A message that was already relayed live
 * under Slack's event id is not posted again either: the core's message map knows its copies
 * (per room and message ts), and delivery skips targets that have one.
 *
 * Not caught up: deletions (gone from the history without a trace; a thread parent deleted
 * while it has replies stays as a `tombstone`, which does not say when), edits of messages older
 * than the lookback and of thread replies from before the downtime, and replies in threads that
 * are neither in the lookback nor remembered (nor, once Slack rate-limits, read).
 */
import type { ConversationsHistoryArguments, ConversationsHistoryResponse, ConversationsRepliesResponse, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { DeliveryError, isTransient, retryAfterOf } from '../../src/errors.js';
import { call } from './errors.js';
import type { SlackFile, SlackMessage } from './inbound.js';
import { compareTs, laterTs } from './watermarks.js';
import { sleep } from '../../src/sleep.js';

export const historyEventId = (channel: string, ts: string): string => `history:${channel}:${ts}`;
export const historyEditEventId = (channel: string, ts: string, editedTs: string): string => `history-edit:${channel}:${ts}:${editedTs}`;

/** Slack's recommended page size for conversations.history (it accepts up to 999). */
export const DEFAULT_PAGE_SIZE = 200;
/** At most this many missed messages are read per channel (the oldest beyond it are skipped). */
export const DEFAULT_MAX_MESSAGES = 5000;
/** Messages from before the downtime read for their edits and thread activity (one history page). */
export const DEFAULT_LOOKBACK = 100;
/** At most this many threads are read per channel and catch-up (the least recently active are skipped). */
export const DEFAULT_MAX_THREADS = 200;
const MAX_TRIES = 5;

type HistoryMessage = NonNullable<ConversationsHistoryResponse['messages']>[number];
type RepliesMessage = NonNullable<ConversationsRepliesResponse['messages']>[number];

/**
 * The fields read from a conversations.history or conversations.replies message. (The SDK's
 * generated type for replies lacks some a reply has, such as `subtype`: both fit this one.)
 */
interface ApiMessage {
  readonly type?: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly username?: string;
  readonly bot_profile?: { readonly name?: string; readonly icons?: { readonly image_72?: string } };
  readonly icons?: { readonly image_72?: string; readonly image_64?: string; readonly image_48?: string };
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly hidden?: boolean;
  readonly edited?: { readonly user?: string; readonly ts?: string };
  readonly reply_count?: number;
  readonly latest_reply?: string;
  readonly files?: readonly SlackFile[];
}

/** A conversations.history or conversations.replies message (which has no `channel`) as the message event it was. */
export function fromHistory(message: HistoryMessage | RepliesMessage, channel: string): SlackMessage {
  const m: ApiMessage = message;
  const icon = m.icons?.image_72 ?? m.icons?.image_64 ?? m.icons?.image_48;
  const files: SlackFile[] | undefined = m.files?.map((f) => ({
    ...(f.id !== undefined ? { id: f.id } : {}),
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.mimetype !== undefined ? { mimetype: f.mimetype } : {}),
    ...(f.size !== undefined ? { size: f.size } : {}),
    ...(f.mode !== undefined ? { mode: f.mode } : {}),
    ...(f.url_private !== undefined ? { url_private: f.url_private } : {}),
    ...(f.url_private_download !== undefined ? { url_private_download: f.url_private_download } : {}),
  }));
  return {
    type: m.type ?? 'message',
    channel,
    ...(m.subtype !== undefined ? { subtype: m.subtype } : {}),
    ...(m.user !== undefined ? { user: m.user } : {}),
    ...(m.bot_id !== undefined ? { bot_id: m.bot_id } : {}),
    ...(m.username !== undefined ? { username: m.username } : {}),
    ...(m.bot_profile ? { bot_profile: { ...(m.bot_profile.name ? { name: m.bot_profile.name } : {}), ...(m.bot_profile.icons?.image_72 ? { icons: { image_72: m.bot_profile.icons.image_72 } } : {}) } } : {}),
    ...(icon ? { icons: { image_72: icon } } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.ts !== undefined ? { ts: m.ts } : {}),
    ...(m.thread_ts !== undefined ? { thread_ts: m.thread_ts } : {}),
    ...(m.hidden !== undefined ? { hidden: m.hidden } : {}),
    ...(m.edited?.ts !== undefined ? { edited: { ...(m.edited.user !== undefined ? { user: m.edited.user } : {}), ts: m.edited.ts } } : {}),
    ...(m.reply_count !== undefined ? { reply_count: m.reply_count } : {}),
    ...(m.latest_reply !== undefined ? { latest_reply: m.latest_reply } : {}),
    ...(files ? { files } : {}),
  };
}

export interface FetchOptions {
  readonly pageSize?: number;
  readonly maxMessages?: number;
  /** Messages from before `since` to read for edits and thread activity; 0: none. */
  readonly lookback?: number;
  /** Threads remembered as recently active (parent ts). */
  readonly threads?: readonly string[];
  readonly maxThreads?: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface Missed {
  /** Every message with ts > since, top level and thread replies, oldest first. */
  readonly posts: readonly SlackMessage[];
  /** Messages with ts <= since and `edited.ts` > since, in the order of their edits. */
  readonly edits: readonly SlackMessage[];
  /** The newest ts read (of a message or an edit) after since: the next watermark. */
  readonly newest?: string;
  /** Threads read that Slack no longer has (thread_not_found). */
  readonly gone: readonly string[];
}

const NOTHING: Missed = { posts: [], edits: [], gone: [] };
const byTs = (a: SlackMessage, b: SlackMessage): number => compareTs(a.ts ?? '0', b.ts ?? '0');
const after = (ts: string | undefined, since: string): boolean => ts !== undefined && compareTs(ts, since) > 0;
/** A top-level message (or thread parent), as opposed to a reply. */
const isTopLevel = (m: SlackMessage): boolean => !m.thread_ts || m.thread_ts === m.ts;

/**
 * What a channel got after `since`: missed messages and replies, and edits of older messages
 * (see the top of this file). Rate limits are waited out (Retry-After); other failures of the
 * history reads are thrown after a few tries; a thread that cannot be read is skipped (logged).
 * Returns nothing once `o.signal` is aborted.
 */
export async function fetchMissed(client: WebClient, channel: string, since: string, o: FetchOptions): Promise<Missed> {
  const limit = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const lookback = o.lookback ?? DEFAULT_LOOKBACK;
  const read = new Map<string, SlackMessage>();
  const keep = (m: SlackMessage): void => {
    if (m.ts) read.set(m.ts, m);
  };

  // Slack returns history pages newest first: everything is read before anything is ingested.
  const window = await readHistory(client, channel, { oldest: since }, limit, o.maxMessages ?? DEFAULT_MAX_MESSAGES, o);
  // `oldest` is exclusive; the check also guards against a server that includes it.
  for (const m of window) if (after(m.ts, since)) keep(m);
  if (lookback > 0) {
    const before = await readHistory(client, channel, { latest: since, inclusive: true }, lookback, lookback, o);
    for (const m of before) if (m.ts && !after(m.ts, since)) keep(m);
  }
  if (o.signal.aborted) return NOTHING;

  // Threads with replies after `since`, the most recently active first; then threads that may
  // have some: those of missed broadcasts (a broadcast is a reply, its parent may be old), and
  // the remembered ones (a remembered thread whose parent was read is decided above).
  const active: { ts: string; latest: string }[] = [];
  const maybe = new Set<string>();
  for (const m of read.values()) {
    if (!m.ts) continue;
    if (isTopLevel(m) && (m.reply_count ?? 0) > 0 && (m.latest_reply === undefined || after(m.latest_reply, since))) {
      active.push({ ts: m.ts, latest: m.latest_reply ?? m.ts });
    }
    if (!isTopLevel(m) && m.thread_ts && after(m.ts, since) && !read.has(m.thread_ts)) maybe.add(m.thread_ts);
  }
  const remembered = new Set((o.threads ?? []).filter((t) => !read.has(t) && !maybe.has(t)));
  active.sort((a, b) => compareTs(b.latest, a.latest));
  const threads = [...new Set([...active.map((a) => a.ts), ...maybe, ...remembered])];
  const maxThreads = o.maxThreads ?? DEFAULT_MAX_THREADS;
  if (threads.length > maxThreads) {
    o.log.warn({ channel, threads: threads.length, max: maxThreads }, 'slack: more active threads than the catch-up reads; the rest are skipped');
  }

  const gone: string[] = [];
  for (const thread of threads.slice(0, maxThreads)) {
    // A remembered thread is read on speculation: where Slack rate-limits the reads (1 a minute
    // for apps outside the Marketplace), live events would wait too long behind them.
    const speculative = remembered.has(thread);
    let messages: SlackMessage[];
    try {
      messages = await readThread(client, channel, thread, since, limit, speculative, o);
    } catch (err) {
      if (err instanceof DeliveryError && err.code === 'not_found') {
        gone.push(thread);
        continue;
      }
      if (speculative && err instanceof DeliveryError && err.code === 'rate_limited') {
        o.log.warn({ channel }, 'slack: rate limited; the remaining remembered threads are not read');
        break;
      }
      o.log.error({ err, channel, thread }, 'slack: could not read a thread; its missed replies are not caught up');
      continue;
    }
    if (o.signal.aborted) return NOTHING;
    for (const m of messages) {
      if (!m.ts) continue;
      // The parent comes first whatever `oldest` says: kept (for its `edited`) unless already read.
      if (isTopLevel(m)) {
        if (!read.has(m.ts)) keep(m);
      } else if (after(m.ts, since)) keep(m);
    }
  }

  const all = [...read.values()];
  const posts = all.filter((m) => after(m.ts, since)).sort(byTs);
  const edits = all
    .filter((m) => !after(m.ts, since) && after(m.edited?.ts, since))
    .sort((a, b) => compareTs(a.edited?.ts ?? '0', b.edited?.ts ?? '0'));
  let newest: string | undefined;
  for (const m of [...posts, ...edits]) newest = laterTs(newest, laterTs(m.ts, m.edited?.ts));
  return { posts, edits, ...(newest !== undefined && after(newest, since) ? { newest } : {}), gone };
}

type HistoryRange = Pick<ConversationsHistoryArguments, 'oldest' | 'latest' | 'inclusive'>;

/** conversations.history in a range, pages of `limit`, until `max` messages or the end. */
async function readHistory(client: WebClient, channel: string, range: HistoryRange, limit: number, max: number, o: FetchOptions): Promise<SlackMessage[]> {
  const got: SlackMessage[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await withRetry(
      () => call('conversations.history', () => client.conversations.history({ channel, ...range, limit, ...(cursor ? { cursor } : {}) })),
      o.signal,
    );
    if (!page) return got; // stopped
    for (const m of page.messages ?? []) got.push(fromHistory(m, channel));
    cursor = page.response_metadata?.next_cursor || undefined;
    if (!page.has_more || !cursor || got.length >= max) {
      if (page.has_more && cursor && range.oldest !== undefined) {
        o.log.warn({ channel, max }, 'slack: more missed messages than the catch-up reads; the oldest are skipped');
      }
      return got;
    }
  }
}

/**
 * conversations.replies of one thread after `oldest`, every page (the parent comes first). With
 * `impatient`, a rate limit is thrown at once instead of waited out.
 */
async function readThread(client: WebClient, channel: string, ts: string, oldest: string, limit: number, impatient: boolean, o: FetchOptions): Promise<SlackMessage[]> {
  const got: SlackMessage[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await withRetry(
      () => call('conversations.replies', () => client.conversations.replies({ channel, ts, oldest, limit, ...(cursor ? { cursor } : {}) })),
      o.signal,
      impatient,
    );
    if (!page) return got; // stopped
    for (const m of page.messages ?? []) got.push(fromHistory(m, channel));
    cursor = page.response_metadata?.next_cursor || undefined;
    if (!page.has_more || !cursor) return got;
    if (got.length >= (o.maxMessages ?? DEFAULT_MAX_MESSAGES)) {
      o.log.warn({ channel, thread: ts }, 'slack: more missed replies in a thread than the catch-up reads; the newest are skipped');
      return got;
    }
  }
}

async function withRetry<T>(fn: () => Promise<T>, signal: AbortSignal, impatient = false): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return undefined;
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= MAX_TRIES) throw err;
      if (impatient && err instanceof DeliveryError && err.code === 'rate_limited') throw err;
      await sleep(retryAfterOf(err) ?? 500 * 2 ** (attempt - 1), signal);
    }
  }
}
