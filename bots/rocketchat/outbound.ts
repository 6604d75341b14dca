/**
 * Outbound: copies posted with `alias` + `avatar` (needs the `message-impersonate` permission,
 * which the bot role has), files through `rooms.media` + `rooms.mediaConfirm`, threads by
 * `tmid`, edits with `chat.update`, deletes with `chat.delete`.
 *
 * Text copies go through `chat.sendMessage` with an `_id` derived from the delivery's
 * idempotency key: when a retry finds that id taken, the earlier attempt did post, and its id
 * is returned instead of a second copy.
 */
import { createHash } from 'node:crypto';
import type { BotContext } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import { splitText } from '../../src/markup.js';
import type { Author, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import type { RocketChatClient } from './client.js';
import { canonicalToRocket } from './format.js';
import type { RcMessage } from './types.js';

/** Rocket.Chat's default `Message_MaxAllowedSize`. */
export const MAX_MESSAGE = 5000;

const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/** A Rocket.Chat-shaped message id (17 characters) that is the same for the same key. */
export function messageIdFor(key: string): string {
  return Array.from(createHash('sha256').update(key).digest().subarray(0, 17), (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

function impersonation(author: Author): { alias: string; avatar?: string } {
  return { alias: author.name, ...(author.avatarUrl ? { avatar: author.avatarUrl } : {}) };
}

interface MessageReply {
  readonly message: RcMessage;
}

export class RocketOutbound {
  constructor(
    private readonly client: RocketChatClient,
    private readonly ctx: () => BotContext,
    private readonly limits: { readonly maxTextLength: number; readonly maxFileBytes: number },
    private readonly botUserId: () => string,
  ) {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const rid = post.room.channel;
    const uploads: { file: StoredFile; bytes: Uint8Array }[] = [];
    const links: StoredFile[] = [];
    for (const file of post.attachments) {
      const bytes = file.size <= this.limits.maxFileBytes ? await this.ctx().readFile(file.id) : null;
      if (bytes) uploads.push({ file, bytes });
      else links.push(file);
    }
    const text = [post.text, ...links.map((f) => `[${f.name.replace(/[\\[\]]/g, '\\$&')}](${f.url})`)].filter(Boolean).join('\n');
    const tmid = post.replyTo ? await this.threadOf(post.replyTo) : undefined;
    const who = impersonation(post.author);
    const ids: RemoteMessageId[] = [];
    const chunks = this.fit(canonicalToRocket(text));
    for (const [i, msg] of chunks.entries()) {
      const _id = messageIdFor(`${post.idempotencyKey}:${i}`);
      ids.push(await this.sendOnce({ _id, rid, msg, ...who, ...(tmid ? { tmid } : {}) }));
    }
    for (const { file, bytes } of uploads) {
      const up = await this.client.upload<{ file?: { _id?: string } }>(`/api/v1/rooms.media/${encodeURIComponent(rid)}`, file.name, file.mime, bytes);
      const fileId = up.file?._id;
      if (!fileId) throw new Error('rocketchat rooms.media: no file id in reply');
      const confirmed = await this.client.post<MessageReply>(`/api/v1/rooms.mediaConfirm/${encodeURIComponent(rid)}/${encodeURIComponent(fileId)}`, {
        msg: '',
        ...who,
        ...(tmid ? { tmid } : {}),
      });
      ids.push(remoteId(confirmed.message._id));
    }
    return ids;
  }

  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const tmid = replyTo ? await this.threadOf(replyTo) : undefined;
    const ids: RemoteMessageId[] = [];
    for (const msg of this.fit(canonicalToRocket(text))) {
      const res = await this.client.post<MessageReply>('/api/v1/chat.sendMessage', { message: { rid: room.channel, msg, ...(tmid ? { tmid } : {}) } });
      ids.push(remoteId(res.message._id));
    }
    return ids;
  }

  async edit(edit: OutboundEdit): Promise<void> {
    const text = this.fit(canonicalToRocket(edit.text))[0] ?? '';
    await this.client.post('/api/v1/chat.update', { roomId: edit.room.channel, msgId: edit.id, text });
  }

  async delete(del: OutboundDelete): Promise<void> {
    await this.client.post('/api/v1/chat.delete', { roomId: del.room.channel, msgId: del.id });
  }

  private async sendOnce(message: Record<string, unknown> & { _id: string }): Promise<RemoteMessageId> {
    try {
      const res = await this.client.post<MessageReply>('/api/v1/chat.sendMessage', { message });
      return remoteId(res.message._id);
    } catch (err) {
      if (!(err instanceof DeliveryError) || err.code !== 'rejected') throw err;
      const earlier = await this.client.get<MessageReply>('/api/v1/chat.getMessage', { msgId: message._id }).catch(() => undefined);
      if (earlier?.message.u._id === this.botUserId()) return remoteId(earlier.message._id);
      throw err;
    }
  }

  private fit(msg: string): string[] {
    if (!msg.trim()) return [];
    const max = this.limits.maxTextLength;
    return msg.length <= max ? [msg] : splitText(msg, max);
  }

  /** Thread replies go to the thread's root message. */
  private async threadOf(id: RemoteMessageId): Promise<string> {
    const res = await this.client.get<MessageReply>('/api/v1/chat.getMessage', { msgId: id });
    return res.message.tmid || res.message._id;
  }
}

