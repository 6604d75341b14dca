/**
 * Slack events → Inbound. Network-free apart from the injected look-ups, so tests can drive it
 * with recorded payloads as well as through Bolt.
 *
 * Room = {platform 'slack', workspace: the bot's team id, channel: channel id}; a thread reply is
 * in the same room with replyTo = thread_ts. Message id = ts.
 */
import type { SlashCommand } from '@slack/bolt';
import type { Download } from '../../src/download.js';
import { remoteId, type Author, type Inbound, type InboundAttachment, type InboundPost, type RoomRef } from '../../src/model.js';
import type { Directory } from './directory.js';
import { mrkdwnToCanonical, referencedIds } from './format.js';

export const PLATFORM = 'slack';

/** The bot's own ids, from auth.test. */
export interface SelfIds {
  readonly userId: string;
  readonly botId: string;
  readonly teamId: string;
}

export interface InboundDeps {
  readonly self: SelfIds;
  readonly commandWord: string;
  readonly directory: Pick<Directory, 'user' | 'names'>;
  /** Downloads a file's url_private with the bot token. */
  readonly download: (url: string) => Promise<Uint8Array>;
}

/** The fields of a Slack file object this bot reads. */
export interface SlackFile {
  readonly id?: string;
  readonly name?: string | null;
  readonly title?: string | null;
  readonly mimetype?: string;
  readonly size?: number;
  readonly mode?: string;
  readonly url_private?: string;
  readonly url_private_download?: string;
}

/** The fields of a Slack message (any subtype) this bot reads. */
export interface SlackMessage {
  readonly type: string;
  readonly subtype?: string | undefined;
  readonly channel?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly username?: string;
  readonly bot_profile?: { readonly name?: string; readonly icons?: { readonly image_72?: string } };
  readonly icons?: { readonly [size: string]: string };
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly hidden?: boolean;
  readonly files?: readonly SlackFile[];
  /** Set on a message whose text was edited: who, and when (a ts). */
  readonly edited?: { readonly user?: string; readonly ts?: string };
  /** On a thread parent (history, replies): how many replies, and the newest one's ts. */
  readonly reply_count?: number;
  readonly latest_reply?: string;
  readonly message?: SlackMessage;
  readonly previous_message?: SlackMessage;
  readonly deleted_ts?: string;
}

/** Subtypes that are something a person said. Everything else (joins, topics, pins, …) is dropped. */
const CONTENT = new Set<string | undefined>([undefined, 'file_share', 'thread_broadcast', 'me_message', 'bot_message']);

export const roomOf = (self: SelfIds, channel: string): RoomRef => ({ platform: PLATFORM, workspace: self.teamId, channel });

export const isSelf = (self: SelfIds, m: Pick<SlackMessage, 'user' | 'bot_id'>): boolean =>
  (m.user !== undefined && m.user === self.userId) || (m.bot_id !== undefined && m.bot_id === self.botId);

/** `<@BOT> open` → `open`; undefined when the text does not start with a mention of the bot. */
export function mentionCommand(raw: string, botUserId: string): string | undefined {
  const m = new RegExp(`^\\s*<@${botUserId.replace(/\W/g, '')}(?:\\|[^>]*)?>[\\s:,]*`).exec(raw);
  return m ? raw.slice(m[0].length).trim() : undefined;
}

async function canonical(raw: string, deps: InboundDeps): Promise<string> {
  const names = await deps.directory.names(referencedIds(raw));
  return mrkdwnToCanonical(raw, names);
}

/** Message text → canonical, with a leading mention of the bot normalized to `-<word> …`. */
async function postText(raw: string, deps: InboundDeps): Promise<string> {
  const args = mentionCommand(raw, deps.self.userId);
  if (args === undefined) return canonical(raw, deps);
  const rest = await canonical(args, deps);
  return rest ? `-${deps.commandWord} ${rest}` : `-${deps.commandWord}`;
}

function attachmentsOf(files: readonly SlackFile[] | undefined, deps: InboundDeps): InboundAttachment[] {
  const out: InboundAttachment[] = [];
  for (const f of files ?? []) {
    const url = f.url_private ?? f.url_private_download;
    if (!url || f.mode === 'tombstone' || f.mode === 'hidden_by_limit' || f.mode === 'external') continue;
    out.push({
      name: f.name || f.title || f.id || 'file',
      mime: f.mimetype || 'application/octet-stream',
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
      fetch: () => deps.download(url),
    });
  }
  return out;
}

async function authorOf(m: SlackMessage, deps: InboundDeps): Promise<Author | undefined> {
  if (m.subtype === 'bot_message' || (!m.user && m.bot_id)) {
    const name = m.username || m.bot_profile?.name || m.bot_id;
    if (!name) return undefined;
    const avatarUrl = m.icons?.image_72 ?? m.icons?.image_64 ?? m.icons?.image_48 ?? m.bot_profile?.icons?.image_72;
    return { id: m.bot_id ?? name, name, ...(avatarUrl ? { avatarUrl } : {}) };
  }
  return m.user ? deps.directory.user(m.user) : undefined;
}

async function toPost(m: SlackMessage, eventId: string, deps: InboundDeps): Promise<InboundPost | undefined> {
  if (!m.channel || !m.ts || isSelf(deps.self, m)) return undefined;
  const author = await authorOf(m, deps);
  if (!author) return undefined;
  const text = await postText(m.text ?? '', deps);
  const attachments = attachmentsOf(m.files, deps);
  if (!text.trim() && attachments.length === 0) return undefined;
  return {
    kind: 'post',
    room: roomOf(deps.self, m.channel),
    eventId,
    id: remoteId(m.ts),
    author,
    text,
    ...(attachments.length ? { attachments } : {}),
    ...(m.thread_ts && m.thread_ts !== m.ts ? { replyTo: remoteId(m.thread_ts) } : {}),
    ...(m.subtype === 'me_message' ? { action: true } : {}),
    raw: m,
  };
}

/**
 * A message as it is now → the edit of it (or, for a thread parent deleted while it has replies,
 * which becomes a tombstone, its delete); undefined for the bot's own messages. Used for the
 * `message` of a live `message_changed` event and for an edit caught up from the history.
 */
export async function changeToInbound(now: SlackMessage, channel: string, eventId: string, deps: InboundDeps, raw: unknown): Promise<Inbound | undefined> {
  if (!now.ts || isSelf(deps.self, now)) return undefined;
  const room = roomOf(deps.self, channel);
  if (now.subtype === 'tombstone') return { kind: 'delete', room, eventId, id: remoteId(now.ts), raw };
  const author = await authorOf(now, deps);
  const text = await canonical(now.text ?? '', deps);
  return { kind: 'edit', room, eventId, id: remoteId(now.ts), text, ...(author ? { author } : {}), raw };
}

/**
 * A `message` or `app_mention` event → Inbound, or undefined when it is not user content or
 * comes from the bot itself (its copies, its uploads, its own edits and deletes).
 */
export async function messageToInbound(m: SlackMessage, eventId: string, deps: InboundDeps): Promise<Inbound | undefined> {
  if (m.type === 'app_mention') return toPost({ ...m, subtype: undefined }, eventId, deps);
  if (m.type !== 'message' || !m.channel) return undefined;
  const room = roomOf(deps.self, m.channel);
  if (m.subtype === 'message_changed') {
    const now = m.message;
    if (!now) return undefined;
    // Link previews and other attachment updates change nothing people wrote.
    if (now.subtype !== 'tombstone' && (now.text ?? '') === (m.previous_message?.text ?? '')) return undefined;
    return changeToInbound(now, m.channel, eventId, deps, m);
  }
  if (m.subtype === 'message_deleted') {
    if (!m.deleted_ts || (m.previous_message && isSelf(deps.self, m.previous_message))) return undefined;
    return { kind: 'delete', room, eventId, id: remoteId(m.deleted_ts), raw: m };
  }
  if (m.hidden || !CONTENT.has(m.subtype)) return undefined;
  return toPost(m, eventId, deps);
}

/** `/sameroom open` → a post `-sameroom open` by the invoking user; eventId = trigger_id. */
export async function commandToInbound(cmd: SlashCommand, deps: InboundDeps): Promise<InboundPost> {
  const args = (await canonical(cmd.text.trim(), deps)).trim();
  const found = await deps.directory.user(cmd.user_id);
  const author = found.name === cmd.user_id && cmd.user_name ? { ...found, name: cmd.user_name } : found;
  return {
    kind: 'post',
    room: roomOf(deps.self, cmd.channel_id),
    eventId: cmd.trigger_id,
    id: remoteId(`command:${cmd.trigger_id}`),
    author,
    text: args ? `-${deps.commandWord} ${args}` : `-${deps.commandWord}`,
    raw: cmd,
  };
}

/** Hosts the bot token may be sent to when downloading url_private. */
export function mayCarryToken(url: string, apiUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.origin === new URL(apiUrl).origin) return true;
  const host = u.hostname;
  return u.protocol === 'https:' && [/(^|\.)slack\.com$/, /(^|\.)slack-edge\.com$/, /(^|\.)slack-gov\.com$/].some((re) => re.test(host));
}

/** Where Slack serves files (url_private): the bridge's fetcher goes nowhere else. */
export const FILE_HOSTS = ['files.slack.com', '*.slack.com', '*.slack-edge.com', '*.slack-gov.com'] as const;

/** A downloader for url_private: Bearer bot token, refuses foreign hosts and Slack's login page. */
export function makeDownloader(token: string, apiUrl: string, download: Download): (url: string) => Promise<Uint8Array> {
  return async (url) => {
    if (!mayCarryToken(url, apiUrl)) throw new Error('slack file: refusing to send the bot token to a foreign host');
    const bytes = await download(url, { hosts: FILE_HOSTS, configured: [apiUrl], headers: { Authorization: `Bearer ${token}` } });
    // Without files:read Slack answers 200 with its sign-in page instead of the bytes.
    if (!/\.html?$/i.test(new URL(url).pathname) && /^\s*<(!doctype html|html)/i.test(Buffer.from(bytes.subarray(0, 64)).toString('latin1'))) {
      throw new Error('slack file download returned a sign-in page (is the files:read scope granted?)');
    }
    return bytes;
  };
}
