/**
 * Copies out: through the channel's "Sameroom" webhook under the author's name and avatar, or,
 * without Manage Webhooks, as the bot with a "**name**: " prefix (said once in the channel).
 * Files are uploaded (multipart files[n]); every copy sets allowed_mentions {parse: []}.
 * Copies as the bot carry a nonce (enforce_nonce), so a repeated post is answered with the first;
 * webhook execution has none, so a post that may already be there (`mayExist`) is looked for
 * first (`earlierCopies`).
 */
import { makeURLSearchParams, type RawFile, type REST } from 'discord.js';
import {
  RESTJSONErrorCodes,
  Routes,
  type APIAllowedMentions,
  type APIMessage,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';
import type { BotContext } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import { splitText } from '../../src/markup.js';
import { remoteId, type Author, type OutboundDelete, type OutboundEdit, type OutboundPost, type RemoteMessageId, type RoomRef, type StoredFile } from '../../src/model.js';
import type { ChannelInfo, Directory } from './directory.js';
import { canonicalToDiscord, escapeDiscord, messageLink, nonceFor, sanitizeUsername } from './format.js';
import type { RecentIds } from './inbound.js';
import { apiCode, call, toDeliveryError } from './transport.js';
import type { Hook, Self, Webhooks } from './webhooks.js';

export const MAX_TEXT = 2000;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_FILES_PER_MESSAGE = 10;
/** allowed_mentions for every copy: nobody, no role, no @everyone/@here gets pinged. */
const NO_PINGS: APIAllowedMentions = { parse: [] };
const REPLY_LINE = /^> ↪ \[Reply\]\(https:\/\/discord\.com\/channels\/[^)\s]+\)$/;
/** How many of a channel's latest messages are searched for an earlier attempt's copies. */
const LOOKBACK = 50;

export const NO_WEBHOOK_NOTICE =
  "I can't manage webhooks in this channel (the Manage Webhooks permission is missing), so bridged messages appear as posted by me, with the author's name in front.";

interface Part {
  content: string;
  files: RawFile[];
}

export interface OutboundDeps {
  readonly ctx: () => BotContext;
  readonly rest: REST;
  readonly dir: Directory;
  readonly webhooks: Webhooks;
  readonly self: Self;
  readonly selfDeleted: RecentIds;
}

export class Outbound {
  constructor(private readonly d: OutboundDeps) {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const ch = await this.d.dir.get(post.room.channel, this.d.rest);
    const hook = await this.hookFor(ch, post.room);
    const { files, links } = await this.files(post.attachments);
    const body = [canonicalToDiscord(post.text), ...links].filter((s) => s !== '').join('\n');
    if (hook) {
      const head = post.replyTo ? `> ↪ [Reply](${messageLink(ch.guildId, ch.id, post.replyTo)})\n` : '';
      const parts = pack(head + body, files);
      const ids = post.mayExist ? await this.earlierCopies(ch, hook, sanitizeUsername(post.author.name), parts) : [];
      for (const part of parts.slice(ids.length)) ids.push(await this.viaWebhook(ch, hook, part, post.author));
      return ids;
    }
    // In a DM the core already put the author's name in the room's format (capabilitiesFor).
    const parts = pack((ch.dm ? '' : prefix(post.author)) + body, files);
    return this.asBot(ch, parts, post.replyTo, post.idempotencyKey);
  }

  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const ch = await this.d.dir.get(room.channel, this.d.rest);
    return this.asBot(ch, pack(canonicalToDiscord(text), []), replyTo);
  }

  async edit(e: OutboundEdit): Promise<void> {
    const { ch, msg } = await this.locate(e.room, e.id);
    const text = canonicalToDiscord(e.text);
    if (msg.webhook_id) {
      const hook = await this.ourHook(ch, msg.webhook_id);
      const first = msg.content.split('\n')[0] ?? '';
      const content = fit((REPLY_LINE.test(first) ? `${first}\n` : '') + text);
      await call('edit webhook message', () =>
        this.d.rest.patch(Routes.webhookMessage(hook.id, hook.token, msg.id), {
          auth: false,
          query: threadQuery(ch),
          body: { content, allowed_mentions: NO_PINGS },
        }),
      );
      return;
    }
    const body: RESTPatchAPIChannelMessageJSONBody = { content: fit((ch.dm ? '' : prefix(e.author)) + text), allowed_mentions: NO_PINGS };
    await call('edit message', () => this.d.rest.patch(Routes.channelMessage(ch.id, msg.id), { body }));
  }

  async delete(del: OutboundDelete): Promise<void> {
    const { ch, msg } = await this.locate(del.room, del.id);
    this.d.selfDeleted.add(msg.id);
    if (msg.webhook_id) {
      const hook = await this.ourHook(ch, msg.webhook_id);
      await call('delete webhook message', () => this.d.rest.delete(Routes.webhookMessage(hook.id, hook.token, msg.id), { auth: false, query: threadQuery(ch) }));
      return;
    }
    await call('delete message', () => this.d.rest.delete(Routes.channelMessage(ch.id, msg.id)));
  }

  /** The webhook to post through, or null (DMs, no permission: then say so once in the channel). */
  private async hookFor(ch: ChannelInfo, room: RoomRef): Promise<Hook | null> {
    if (ch.dm) return null;
    const hook = await this.d.webhooks.forChannel(ch.parentId ?? ch.id);
    if (hook) return hook;
    const ctx = this.d.ctx();
    const key = `notice:no-webhook:${ch.id}`;
    if (!(await ctx.state.get(key))) {
      await this.say(room, NO_WEBHOOK_NOTICE);
      await ctx.state.set(key, '1');
    }
    return null;
  }

  private async viaWebhook(ch: ChannelInfo, hook: Hook, part: Part, author: Author, retried = false): Promise<RemoteMessageId> {
    const body: RESTPostAPIWebhookWithTokenJSONBody = {
      content: part.content,
      username: sanitizeUsername(author.name),
      ...(author.avatarUrl ? { avatar_url: author.avatarUrl } : {}),
      allowed_mentions: NO_PINGS,
    };
    try {
      const msg = (await this.d.rest.post(Routes.webhook(hook.id, hook.token), {
        auth: false,
        query: makeURLSearchParams({ wait: true, ...(ch.thread ? { thread_id: ch.id } : {}) }),
        body,
        files: part.files,
      })) as APIMessage;
      return remoteId(msg.id);
    } catch (err) {
      // Someone deleted our webhook: make a new one, once.
      if (!retried && apiCode(err) === RESTJSONErrorCodes.UnknownWebhook) {
        const parent = ch.parentId ?? ch.id;
        await this.d.webhooks.invalidate(parent);
        const fresh = await this.d.webhooks.forChannel(parent);
        if (fresh) return this.viaWebhook(ch, fresh, part, author, true);
      }
      throw toDeliveryError(err, 'post through webhook');
    }
  }

  /**
   * The copies an earlier attempt of this post already left in the channel (it failed or its
   * process died after Discord stored them), oldest first: the parts not to post again.
   *
   * Jobs for one room run one at a time, in order, so what an earlier attempt posted is the newest
   * messages of our webhook in the channel, and a prefix of `parts`. One read of the channel's
   * latest messages (a thread's are listed from the thread itself); the answer is the longest k such
   * that the k newest messages with `webhook_id` === our hook are parts 0..k-1 in order: same
   * `author.username`, same content, same number of files. So an identical copy our webhook posted
   * before some other copy is never taken for this one. (No `after` bound: the post does not carry
   * the job's time.) If the read fails, nothing is found and everything is posted: a duplicate is
   * better than a lost message.
   */
  private async earlierCopies(ch: ChannelInfo, hook: Hook, username: string, parts: Part[]): Promise<RemoteMessageId[]> {
    let latest: APIMessage[];
    try {
      latest = (await this.d.rest.get(Routes.channelMessages(ch.id), { query: makeURLSearchParams({ limit: LOOKBACK }) })) as APIMessage[];
    } catch (err) {
      const reason = toDeliveryError(err, 'read recent messages').message;
      this.d.ctx().log.warn({ channel: ch.id, err: reason }, 'discord: could not look for an earlier copy of a retried post; posting it again');
      return [];
    }
    const ours = latest.filter((m) => m.webhook_id === hook.id); // newest first
    const same = (m: APIMessage, p: Part | undefined): boolean =>
      p !== undefined && m.author.username === username && m.content.trim() === p.content.trim() && m.attachments.length === p.files.length;
    for (let k = Math.min(parts.length, ours.length); k > 0; k--) {
      const found = ours.slice(0, k).reverse();
      if (found.every((m, i) => same(m, parts[i]))) return found.map((m) => remoteId(m.id));
    }
    return [];
  }

  private async asBot(ch: ChannelInfo, parts: Part[], replyTo?: RemoteMessageId, idempotencyKey?: string): Promise<RemoteMessageId[]> {
    const ids: RemoteMessageId[] = [];
    for (const [i, part] of parts.entries()) {
      const body: RESTPostAPIChannelMessageJSONBody = {
        content: part.content,
        allowed_mentions: { parse: [], replied_user: false },
        ...(i === 0 && replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
        ...(idempotencyKey ? { nonce: nonceFor(idempotencyKey, i), enforce_nonce: true } : {}),
      };
      const msg = (await call('post message', () => this.d.rest.post(Routes.channelMessages(ch.id), { body, files: part.files }))) as APIMessage;
      ids.push(remoteId(msg.id));
    }
    return ids;
  }

  private async locate(room: RoomRef, id: string): Promise<{ ch: ChannelInfo; msg: APIMessage }> {
    const ch = await this.d.dir.get(room.channel, this.d.rest);
    const msg = (await call('get message', () => this.d.rest.get(Routes.channelMessage(ch.id, id)))) as APIMessage;
    if (!msg.webhook_id && msg.author.id !== this.d.self.userId) {
      throw new DeliveryError('rejected', `discord: message ${id} is not a copy posted by the bridge`);
    }
    return { ch, msg };
  }

  private async ourHook(ch: ChannelInfo, webhookId: string): Promise<Hook> {
    const hook = await this.d.webhooks.known(ch.parentId ?? ch.id, webhookId);
    if (!hook) throw new DeliveryError('rejected', `discord: message was not posted through the bridge's webhook`);
    return hook;
  }

  /** Files to upload (≤ 10 MiB each) and links for the rest (too big, or bytes gone). */
  private async files(attachments: readonly StoredFile[]): Promise<{ files: RawFile[]; links: string[] }> {
    const files: RawFile[] = [];
    const links: string[] = [];
    for (const f of attachments) {
      const bytes = f.size <= MAX_FILE_BYTES ? await this.d.ctx().readFile(f.id) : null;
      if (bytes && bytes.length <= MAX_FILE_BYTES) files.push({ name: f.name, data: Buffer.from(bytes), contentType: f.mime });
      else links.push(`📎 [${escapeDiscord(f.name)}](${f.url})`);
    }
    return { files, links };
  }
}

function prefix(author: Author): string {
  return `**${escapeDiscord(author.name)}**: `;
}

function threadQuery(ch: ChannelInfo): URLSearchParams {
  return makeURLSearchParams<{ thread_id?: string }>(ch.thread ? { thread_id: ch.id } : {});
}

/** Cut to Discord's limit (edits cannot become two messages). */
function fit(s: string): string {
  if (s.length <= MAX_TEXT) return s;
  let cut = MAX_TEXT - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

/**
 * Split text into messages of ≤ 2000 characters and files into groups of ≤ 10 files and
 * ≤ 10 MiB per request; the first group rides on the first message.
 */
export function pack(text: string, files: RawFile[]): Part[] {
  const groups: RawFile[][] = [];
  let size = 0;
  for (const f of files) {
    const n = f.data instanceof Uint8Array ? f.data.length : 0;
    const cur = groups[groups.length - 1];
    if (!cur || cur.length >= MAX_FILES_PER_MESSAGE || size + n > MAX_FILE_BYTES) {
      groups.push([f]);
      size = n;
    } else {
      cur.push(f);
      size += n;
    }
  }
  const parts: Part[] = text.trim() === '' ? [] : splitText(text, MAX_TEXT).map((content) => ({ content, files: [] }));
  const [first, ...rest] = groups;
  if (first) {
    if (parts[0]) parts[0].files = first;
    else parts.push({ content: '', files: first });
  }
  for (const g of rest) parts.push({ content: '', files: g });
  return parts;
}
