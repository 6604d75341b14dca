/**
 * Outbound: copies, command answers, edits and redactions.
 *
 * Every send is `PUT /rooms/{id}/send/m.room.message/{txnId}` with the txnId derived from the
 * delivery's idempotency key, so a retried delivery never posts twice. Every message carries an
 * empty `m.mentions` (intentional mentions): a copy pings nobody.
 */
import { randomUUID } from 'node:crypto';
import type { BotContext } from '../../src/bot.js';
import { splitText } from '../../src/markup.js';
import type { OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import type { MatrixClient } from './client.js';
import { canonicalToMatrix } from './format.js';
import type { MessageContent } from './types.js';

/** The homeserver refuses events over 65536 bytes (PDU); leave room for the envelope. */
export const MAX_CONTENT_BYTES = 60_000;

export class MatrixOutbound {
  constructor(
    private readonly client: MatrixClient,
    private readonly ctx: () => BotContext,
    private readonly maxFileBytes: () => number,
  ) {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const ids: RemoteMessageId[] = [];
    const links: StoredFile[] = [];
    const uploads: { file: StoredFile; bytes: Uint8Array }[] = [];
    for (const file of post.attachments) {
      const bytes = file.size <= this.maxFileBytes() ? await this.ctx().readFile(file.id) : null;
      if (bytes) uploads.push({ file, bytes });
      else links.push(file);
    }
    const text = [post.text, ...links.map((f) => `[${f.name.replace(/[\\[\]]/g, '\\$&')}](${f.url})`)].filter(Boolean).join('\n');
    let n = 0;
    const txn = (): string => `${post.idempotencyKey}${n++ === 0 ? '' : `.${n}`}`;
    let replyTo = post.replyTo;
    for (const content of textContents(text, 'm.text')) {
      ids.push(await this.put(post.room, txn(), withReply(content, replyTo)));
      replyTo = undefined;
    }
    for (const { file, bytes } of uploads) {
      const up = await this.client.call<{ content_uri?: string }>('POST', '/_matrix/media/v3/upload', {
        query: { filename: file.name },
        bytes,
        contentType: file.mime || 'application/octet-stream',
      });
      if (!up.content_uri) throw new Error('matrix upload: no content_uri in reply');
      const content: MessageContent = {
        msgtype: mediaType(file.mime),
        body: file.name,
        filename: file.name,
        url: up.content_uri,
        info: { mimetype: file.mime, size: bytes.byteLength },
        'm.mentions': {},
      };
      ids.push(await this.put(post.room, txn(), withReply(content, replyTo)));
      replyTo = undefined;
    }
    return ids;
  }

  /** Command answers go out as `m.notice`, which bots and bridges conventionally do not relay. */
  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const ids: RemoteMessageId[] = [];
    for (const content of textContents(text, 'm.notice')) {
      ids.push(await this.put(room, randomUUID(), withReply(content, ids.length ? undefined : replyTo)));
    }
    return ids;
  }

  async edit(edit: OutboundEdit): Promise<void> {
    const [fresh] = textContents(edit.text, 'm.text');
    if (!fresh) return;
    const content: MessageContent = {
      msgtype: 'm.text',
      body: `* ${fresh.body}`,
      ...(fresh.formatted_body ? { format: 'org.matrix.custom.html', formatted_body: `* ${fresh.formatted_body}` } : {}),
      'm.new_content': fresh,
      'm.relates_to': { rel_type: 'm.replace', event_id: edit.id },
      'm.mentions': {},
    };
    await this.put(edit.room, randomUUID(), content);
  }

  async delete(del: OutboundDelete): Promise<void> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(del.room.channel)}/redact/${encodeURIComponent(del.id)}/${randomUUID()}`;
    await this.client.call('PUT', path, { json: {} });
  }

  private async put(room: RoomRef, txnId: string, content: MessageContent): Promise<RemoteMessageId> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room.channel)}/send/m.room.message/${encodeURIComponent(txnId)}`;
    const res = await this.client.call<{ event_id?: string }>('PUT', path, { json: content });
    if (!res.event_id) throw new Error('matrix send: no event_id in reply');
    return remoteId(res.event_id);
  }
}

function withReply(content: MessageContent, replyTo: RemoteMessageId | undefined): MessageContent {
  return replyTo ? { ...content, 'm.relates_to': { 'm.in_reply_to': { event_id: replyTo } } } : content;
}

function mediaType(mime: string): string {
  if (mime.startsWith('image/')) return 'm.image';
  if (mime.startsWith('video/')) return 'm.video';
  if (mime.startsWith('audio/')) return 'm.audio';
  return 'm.file';
}

function contentOf(text: string, msgtype: string): MessageContent {
  const r = canonicalToMatrix(text);
  return {
    msgtype,
    body: r.body,
    ...(r.formatted_body ? { format: 'org.matrix.custom.html' as const, formatted_body: r.formatted_body } : {}),
    'm.mentions': {},
  };
}

/** One content per chunk; text whose event would be too large is split further. */
export function textContents(text: string, msgtype: string): MessageContent[] {
  if (!text.trim()) return [];
  const content = contentOf(text, msgtype);
  if (Buffer.byteLength(JSON.stringify(content)) <= MAX_CONTENT_BYTES || text.length < 2) return [content];
  return splitText(text, Math.ceil(text.length / 2)).flatMap((chunk) => textContents(chunk, msgtype));
}
