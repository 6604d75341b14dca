/**
 * What the fake Slack workspace holds: one team, its bot, users, channels with their messages,
 * uploads in flight and hosted files; plus what tests assert on (posts, updates, deletes,
 * completed uploads, every call) and the failures they queued.
 */
import type { FileShareMessageEvent } from '@slack/types';

export type SlackFileObject = NonNullable<FileShareMessageEvent['files']>[number];

export interface FakeUser {
  readonly id: string;
  readonly name: string;
  readonly displayName?: string;
  readonly realName?: string;
  readonly avatarUrl?: string;
  /** workspace admin / owner, as users.info reports them */
  readonly isAdmin?: boolean;
  readonly isOwner?: boolean;
}

export type ChannelKind = 'channel' | 'group' | 'im' | 'mpim';

export interface FakeChannel {
  readonly id: string;
  readonly name?: string;
  readonly kind: ChannelKind;
  /** For an IM: the other user. */
  readonly user?: string;
  /** Who made the channel (conversations.info `creator`). */
  readonly creator?: string;
}

/**
 * A message as the fake stores it. conversations.history and conversations.replies return it
 * with the thread fields of a parent (reply_count, latest_reply, …) computed from its replies.
 */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  username?: string;
  icons?: { image_64?: string };
  thread_ts?: string;
  files?: { id: string; name: string; title: string; size: number }[];
  upload?: boolean;
  edited?: { user: string; ts: string };
}

/** One chat.postMessage call, as parsed by the fake. */
export interface PostRecord {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly username?: string;
  readonly icon_url?: string;
  readonly thread_ts?: string;
  readonly link_names?: boolean;
  readonly unfurl_links?: boolean;
}

export interface CompleteRecord {
  readonly channel_id?: string;
  readonly thread_ts?: string;
  readonly initial_comment?: string;
  readonly files: readonly { id: string; title?: string }[];
  readonly ts?: string;
}

export interface Upload {
  readonly id: string;
  readonly filename: string;
  readonly length: number;
  bytes?: Uint8Array;
  completed?: boolean;
}

/** A failure to serve on the next call of a method (`upload` for the upload URL). */
export interface Failure {
  /** HTTP status: 429 (with Retry-After), 5xx. Omit for an `ok: false` answer. */
  readonly status?: number;
  /** Seconds, for 429. Default 1. */
  readonly retryAfter?: number;
  /** Slack error code for `ok: false` (HTTP 200), e.g. `ratelimited`, `channel_not_found`. */
  readonly error?: string;
}

export interface CallRecord {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
}

export class SlackState {
  readonly team = { id: 'T0FAKE', name: 'Acme', domain: 'acme' };
  readonly bot = { userId: 'UBOT', botId: 'BBOT', appId: 'AFAKE', name: 'sameroom' };
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, StoredMessage[]>();
  readonly uploads = new Map<string, Upload>();
  readonly hosted = new Map<string, { file: SlackFileObject; bytes: Uint8Array }>();
  readonly posts: PostRecord[] = [];
  readonly updates: { channel: string; ts: string; text: string }[] = [];
  readonly deletes: { channel: string; ts: string }[] = [];
  /** chat.postEphemeral: seen by `user` only, kept nowhere in the channel. */
  readonly ephemerals: { channel: string; user: string; text: string }[] = [];
  readonly completes: CompleteRecord[] = [];
  readonly calls: CallRecord[] = [];
  readonly failures = new Map<string, Failure[]>();
  private seq = 0;
  private readonly epoch = Math.floor(Date.now() / 1000);

  /** A fresh, increasing message ts (`seconds.micro`). */
  nextTs(): string {
    this.seq += 1;
    return `${this.epoch + Math.floor(this.seq / 1000)}.${String(this.seq % 1000).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(6, '0')}`;
  }

  takeFailure(method: string): Failure | undefined {
    const list = this.failures.get(method);
    const f = list?.shift();
    if (list && list.length === 0) this.failures.delete(method);
    return f;
  }

  history(channel: string): StoredMessage[] {
    let list = this.messages.get(channel);
    if (!list) this.messages.set(channel, (list = []));
    return list;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /** Someone edits a stored message (as in the Slack client): new text, `edited` set to now. */
  edit(channel: string, ts: string, text: string): StoredMessage {
    const m = this.findMessage(channel, ts);
    if (!m) throw new Error(`no message ${ts} in ${channel}`);
    m.text = text;
    m.edited = { user: m.user ?? this.bot.userId, ts: this.nextTs() };
    return m;
  }
}
