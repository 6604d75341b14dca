/**
 * Matrix timeline event → `Inbound` (the bot's own events are dropped by the caller).
 * Handles m.room.message (text, notice, emote, media, edits, replies), m.sticker and
 * m.room.redaction; command forms are normalised to `-<word> <args>`.
 */
import { argsToCommand, mentionToCommand, sigilCommand } from '../../src/command.js';
import type { Author, Inbound, InboundAttachment, RemoteMessageId, RoomRef } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { bodyToCanonical, htmlToCanonical, stripReplyFallback } from './format.js';
import { isRecord, roomServer, str, type MatrixEvent, type RelatesTo } from './types.js';

export interface InboundDeps {
  /** The bot's own user id and the names people address it by (display name, localpart). */
  readonly userId: string;
  readonly botNames: readonly string[];
  readonly commandWord: string;
  author(roomId: string, userId: string): Promise<Author>;
  /** A closure that downloads an `mxc://` URI with the bot's credentials. */
  download(mxc: string): () => Promise<Uint8Array>;
}

export function matrixRoom(roomId: string): RoomRef {
  const server = roomServer(roomId);
  return server ? { platform: 'matrix', workspace: server, channel: roomId } : { platform: 'matrix', channel: roomId };
}

const MEDIA = new Set(['m.image', 'm.file', 'm.video', 'm.audio']);

export async function toInbound(roomId: string, ev: MatrixEvent, deps: InboundDeps): Promise<Inbound | undefined> {
  if (ev.sender === deps.userId || ev.unsigned?.redacted_because) return undefined;
  const room = matrixRoom(roomId);
  const base = { room, eventId: ev.event_id, raw: ev };
  if (ev.type === 'm.room.redaction') {
    const target = ev.redacts ?? str(ev.content.redacts);
    return target ? { ...base, kind: 'delete', id: remoteId(target) } : undefined;
  }
  if (ev.type !== 'm.room.message' && ev.type !== 'm.sticker') return undefined;
  const rel = relatesTo(ev.content);
  if (rel?.rel_type === 'm.replace' && rel.event_id) {
    const fresh = isRecord(ev.content['m.new_content']) ? ev.content['m.new_content'] : undefined;
    const text = fresh ? contentText(fresh) : contentText(ev.content).replace(/^\\\* /, '');
    return { ...base, kind: 'edit', id: remoteId(rel.event_id), author: await deps.author(roomId, ev.sender), text };
  }
  const msgtype = ev.type === 'm.sticker' ? 'm.image' : (str(ev.content.msgtype) ?? 'm.text');
  const attachments: InboundAttachment[] = [];
  let text: string;
  const url = str(ev.content.url);
  if (MEDIA.has(msgtype)) {
    if (url?.startsWith('mxc://')) attachments.push(attachment(ev.content, url, deps));
    const filename = str(ev.content.filename);
    // With `filename` set, `body` is a caption (spec v1.10); otherwise it is the file name.
    text = filename && filename !== str(ev.content.body) ? contentText(ev.content) : '';
  } else {
    text = contentText(ev.content);
  }
  if (!text && attachments.length === 0) return undefined;
  const command = normalizeCommand(ev.content, deps);
  const replyTo = replyTarget(rel);
  return {
    ...base,
    kind: 'post',
    id: remoteId(ev.event_id),
    author: await deps.author(roomId, ev.sender),
    text: command ?? text,
    ...(attachments.length ? { attachments } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(msgtype === 'm.emote' ? { action: true } : {}),
  };
}

function relatesTo(content: Record<string, unknown>): RelatesTo | undefined {
  const r = content['m.relates_to'];
  return isRecord(r) ? (r as RelatesTo) : undefined;
}

/** In a thread, a "falling back" in_reply_to only points at the latest event: use the root. */
function replyTarget(rel: RelatesTo | undefined): RemoteMessageId | undefined {
  if (!rel) return undefined;
  const inReply = rel['m.in_reply_to']?.event_id;
  if (rel.rel_type === 'm.thread') return remoteId((rel.is_falling_back ? undefined : inReply) ?? rel.event_id ?? '');
  return inReply ? remoteId(inReply) : undefined;
}

export function contentText(content: Record<string, unknown>): string {
  const html = str(content.formatted_body);
  if (html !== undefined && content.format === 'org.matrix.custom.html') return htmlToCanonical(html);
  return bodyToCanonical(str(content.body) ?? '');
}

function attachment(content: Record<string, unknown>, url: string, deps: InboundDeps): InboundAttachment {
  const info = isRecord(content.info) ? content.info : {};
  const size = typeof info.size === 'number' ? info.size : undefined;
  return {
    name: str(content.filename) ?? str(content.body) ?? 'file',
    mime: str(info.mimetype) ?? 'application/octet-stream',
    ...(size !== undefined ? { size } : {}),
    fetch: deps.download(url),
  };
}

/**
 * `!sameroom open`, or a message that starts by mentioning the bot (`Sameroom: open`, a pill,
 * `@sameroom open`) → `-sameroom open`. Anything else → undefined.
 */
export function normalizeCommand(content: Record<string, unknown>, deps: Pick<InboundDeps, 'userId' | 'botNames' | 'commandWord'>): string | undefined {
  const body = stripReplyFallback(str(content.body) ?? '').trim();
  const word = deps.commandWord;
  const bang = sigilCommand(body, '!', word);
  if (bang) return argsToCommand(body.slice(bang.head), word);
  const mentions = isRecord(content['m.mentions']) ? content['m.mentions'] : undefined;
  const ids = Array.isArray(mentions?.user_ids) ? mentions.user_ids : [];
  const html = str(content.formatted_body) ?? '';
  const pill = html.includes(`matrix.to/#/${deps.userId}`) || html.includes(`matrix.to/#/${encodeURIComponent(deps.userId)}`);
  // Named with a leading `@` or a `:`/`,` after the name, or a mention Matrix itself marks.
  const style = ids.includes(deps.userId) || pill || body.startsWith('@') ? 'bare' : 'at-or-colon';
  return mentionToCommand(body, { names: [deps.userId, ...deps.botNames], style }, word);
}
