/**
 * Catch-up after downtime. Slack does not queue Events API deliveries for an app that was down
 * (it retries a few times within minutes, then drops them), so on start the bot reads what it
 * missed from conversations.history.
 *
 * As messages arrive, the bot keeps in its state the ts of the newest message it ingested per
 * channel (`last:<channel>`) and the channels it has heard (`channels`, a JSON list). On start,
 * for each of those channels, it reads conversations.history with `oldest=<last ts>` (Slack
 * treats `oldest` as exclusive), every page (`has_more` / `response_metadata.next_cursor`), and
 * ingests the messages oldest first, through the same conversion as live events.
 *
 * Catch-up events carry the event id `history:<channel>:<ts>`: two processes catching up the
 * same message share it (the core's seen-event check drops the second). A message that was
 * already relayed live under Slack's event id is not posted again either: the core's message
 * map knows its copies (per room and message ts), and delivery skips targets that have one.
 *
 * Not caught up: thread replies (conversations.history returns only top-level messages and
 * broadcasts), and edits or deletions made while the bridge was down.
 */
import type { ConversationsHistoryResponse, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import { isTransient, retryAfterOf } from '../../src/errors.js';
import { call } from './errors.js';
import type { SlackFile, SlackMessage } from './inbound.js';

export const CHANNELS_KEY = 'channels';
export const lastKey = (channel: string): string => `last:${channel}`;
export const historyEventId = (channel: string, ts: string): string => `history:${channel}:${ts}`;

/** Slack's recommended page size for conversations.history (it accepts up to 999). */
export const DEFAULT_PAGE_SIZE = 200;
/** At most this many missed messages are read per channel (the oldest beyond it are skipped). */
export const DEFAULT_MAX_MESSAGES = 5000;
const MAX_TRIES = 5;

/** Compares two Slack ts values (`seconds.micros`) as numbers. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  const d = Number(as) - Number(bs);
  if (d !== 0) return Math.sign(d);
  return Math.sign(Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0')));
}

/**
 * The per-channel watermark: the newest message ts ingested, kept in the bot's state. Written
 * only when it grows; the channel list is written when a channel is heard for the first time.
 */
export class Watermarks {
  private readonly last = new Map<string, string>();
  private readonly known = new Set<string>();

  constructor(private readonly state: BotState) {}

  /** Channels heard before, with their watermark. */
  async load(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const channel of parseList(await this.state.get(CHANNELS_KEY))) {
      this.known.add(channel);
      const ts = await this.state.get(lastKey(channel));
      if (!ts) continue;
      this.last.set(channel, ts);
      out.set(channel, ts);
    }
    return out;
  }

  async record(channel: string, ts: string): Promise<void> {
    const prev = this.last.get(channel);
    if (prev !== undefined && compareTs(ts, prev) <= 0) return;
    this.last.set(channel, ts);
    await this.state.set(lastKey(channel), ts);
    if (!this.known.has(channel)) {
      // Read again right before writing: another process may have added a channel meanwhile.
      const list = parseList(await this.state.get(CHANNELS_KEY));
      if (!list.includes(channel)) await this.state.set(CHANNELS_KEY, JSON.stringify([...list, channel]));
      this.known.add(channel);
    }
  }
}

function parseList(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

type HistoryMessage = NonNullable<ConversationsHistoryResponse['messages']>[number];

/** A conversations.history message (which has no `channel`) as the message event it was. */
export function fromHistory(m: HistoryMessage, channel: string): SlackMessage {
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
    ...(files ? { files } : {}),
  };
}

export interface FetchOptions {
  readonly pageSize?: number;
  readonly maxMessages?: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * Every message after `oldest` in a channel, oldest first. Slack returns pages newest first, so
 * all pages are read before anything is ingested. A rate limit is waited out (Retry-After);
 * other failures are thrown after a few tries.
 */
export async function fetchMissed(client: WebClient, channel: string, oldest: string, o: FetchOptions): Promise<SlackMessage[]> {
  const limit = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const max = o.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const got = new Map<string, SlackMessage>();
  let cursor: string | undefined;
  for (;;) {
    const page = await withRetry(
      () => call('conversations.history', () => client.conversations.history({ channel, oldest, limit, ...(cursor ? { cursor } : {}) })),
      o.signal,
    );
    if (!page) return []; // stopped
    for (const m of page.messages ?? []) {
      // `oldest` is exclusive; the check also guards against a server that includes it.
      if (m.ts && compareTs(m.ts, oldest) > 0) got.set(m.ts, fromHistory(m, channel));
    }
    cursor = page.response_metadata?.next_cursor || undefined;
    if (!page.has_more || !cursor) break;
    if (got.size >= max) {
      o.log.warn({ channel, max }, 'slack: more missed messages than the catch-up reads; the oldest are skipped');
      break;
    }
  }
  return [...got.values()].sort((a, b) => compareTs(a.ts ?? '0', b.ts ?? '0'));
}

async function withRetry<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return undefined;
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= MAX_TRIES) throw err;
      await sleep(retryAfterOf(err) ?? 500 * 2 ** (attempt - 1), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
