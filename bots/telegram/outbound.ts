/**
 * Outbound: copies, command answers, edits and deletes, as Bot API calls with parse_mode HTML.
 */
import { InputFile, type Bot, type Message, type ReplyParameters } from 'node-telegram-bot-api';
import type { BotContext } from '../../src/bot.js';
import { escapeText } from '../../src/markup.js';
import {
  remoteId,
  type OutboundDelete,
  type OutboundEdit,
  type OutboundPost,
  type RemoteMessageId,
  type RoomRef,
  type StoredFile,
} from '../../src/model.js';
import { call, isApiError, toDeliveryError } from './client.js';
import { splitHtml, truncateHtml } from './html.js';
import { messageIdOf, targetOf, type ChatTarget } from './rooms.js';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;
/** Bot API upload limit. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** sendPhoto takes photos up to 10 MB; bigger images go as documents. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const PHOTO_MIME = /^image\/(jpeg|png|webp)$/i;

export interface OutboundDeps {
  readonly client: Bot;
  readonly redact: (s: string) => string;
  /** The context of the running bot (for readFile). */
  context(): BotContext;
}

export class Outbound {
  constructor(private readonly deps: OutboundDeps) {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const target = targetOf(post.room);
    let replyTo = post.replyTo === undefined ? undefined : messageIdOf(post.replyTo);
    const uploads: { file: StoredFile; bytes: Uint8Array }[] = [];
    const links: StoredFile[] = [];
    for (const file of post.attachments) {
      const bytes = file.size <= MAX_UPLOAD_BYTES ? await this.deps.context().readFile(file.id) : null;
      if (bytes) uploads.push({ file, bytes });
      else links.push(file);
    }
    const text = [post.text, ...links.map((f) => `[${escapeText(f.name)}](${f.url.replace(/[\\()]/g, '\\$&')})`)]
      .filter(Boolean)
      .join('\n');
    const ids: RemoteMessageId[] = [];
    const captions = splitHtml(text, MAX_CAPTION);
    const caption = uploads.length > 0 && captions.length === 1 ? captions[0] : undefined;
    if (caption === undefined) {
      for (const html of splitHtml(text, MAX_TEXT)) {
        ids.push(await this.sendText(target, html, replyTo));
        replyTo = undefined;
      }
    }
    for (const [i, u] of uploads.entries()) {
      ids.push(await this.sendFile(target, u.file, u.bytes, i === 0 ? caption : undefined, replyTo));
      replyTo = undefined;
    }
    return ids;
  }

  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const target = targetOf(room);
    let reply = replyTo === undefined ? undefined : messageIdOf(replyTo);
    const ids: RemoteMessageId[] = [];
    for (const html of splitHtml(text, MAX_TEXT)) {
      ids.push(await this.sendText(target, html, reply));
      reply = undefined;
    }
    return ids;
  }

  /** Edits the text of a copy, or its caption when the copy is a file. */
  async edit(edit: OutboundEdit): Promise<void> {
    const { chatId } = targetOf(edit.room);
    const messageId = messageIdOf(edit.id);
    const api = this.deps.client.api;
    try {
      await api.editMessageText({
        chat_id: chatId,
        message_id: messageId,
        text: truncateHtml(edit.text, MAX_TEXT),
        parse_mode: 'HTML',
      });
    } catch (err) {
      if (isApiError(err, 400, /not modified/i)) return;
      if (!isApiError(err, 400, /no text in the message/i)) throw toDeliveryError(err, 'editMessageText', this.deps.redact);
      try {
        await api.editMessageCaption({
          chat_id: chatId,
          message_id: messageId,
          caption: truncateHtml(edit.text, MAX_CAPTION),
          parse_mode: 'HTML',
        });
      } catch (err2) {
        if (isApiError(err2, 400, /not modified/i)) return;
        throw toDeliveryError(err2, 'editMessageCaption', this.deps.redact);
      }
    }
  }

  async delete(del: OutboundDelete): Promise<void> {
    const { chatId } = targetOf(del.room);
    const messageId = messageIdOf(del.id);
    await call('deleteMessage', this.deps.redact, () =>
      this.deps.client.api.deleteMessage({ chat_id: chatId, message_id: messageId }),
    );
  }

  private async sendText(target: ChatTarget, html: string, replyTo?: number): Promise<RemoteMessageId> {
    const msg = await call('sendMessage', this.deps.redact, () =>
      this.deps.client.api.sendMessage({ ...where(target, replyTo), text: html, parse_mode: 'HTML' }),
    );
    return remoteId(msg.message_id);
  }

  private async sendFile(
    target: ChatTarget,
    file: StoredFile,
    bytes: Uint8Array,
    caption?: string,
    replyTo?: number,
  ): Promise<RemoteMessageId> {
    const input = new InputFile(bytes, { filename: file.name, contentType: file.mime });
    const common = { ...where(target, replyTo), ...(caption ? { caption, parse_mode: 'HTML' } : {}) };
    const api = this.deps.client.api;
    const photo = PHOTO_MIME.test(file.mime) && bytes.byteLength <= MAX_PHOTO_BYTES;
    const msg: Message = photo
      ? await call('sendPhoto', this.deps.redact, () => api.sendPhoto({ ...common, photo: input }))
      : await call('sendDocument', this.deps.redact, () => api.sendDocument({ ...common, document: input }));
    return remoteId(msg.message_id);
  }
}

function where(
  target: ChatTarget,
  replyTo?: number,
): { chat_id: number; message_thread_id?: number; reply_parameters?: ReplyParameters } {
  return {
    chat_id: target.chatId,
    ...(target.threadId === undefined ? {} : { message_thread_id: target.threadId }),
    ...(replyTo === undefined ? {} : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }),
  };
}
