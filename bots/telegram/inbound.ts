/**
 * Inbound: a Bot API update → the bridge's `Inbound` (or nothing, for what is not bridged).
 *
 * Event ids are stable per message, not per update, so a message seen again after a restart
 * (or redelivered to a webhook) is dropped by the core: posts `msg:<chat>:<id>`, edits
 * `edit:<chat>:<id>:<edit_date>`. Telegram never reports deletions to bots.
 */
import type { Message, Update, User } from 'node-telegram-bot-api';
import { sigilCommand } from '../../src/command.js';
import { escapeText } from '../../src/markup.js';
import { remoteId, type Author, type Inbound, type InboundAttachment } from '../../src/model.js';
import { entitiesToCanonical } from './entities.js';
import { roomOf } from './rooms.js';

/** Bot API getFile refuses files above this size (downloads are limited to 20 MB). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export interface InboundDeps {
  /** The bot itself (getMe): its id to drop its own messages, its username for `/cmd@Bot`. */
  readonly me: User;
  readonly commandWord: string;
  download(fileId: string): Promise<Uint8Array>;
}

export function toInbound(update: Update, deps: InboundDeps): Inbound | undefined {
  if ('message' in update) return post(update.message, deps);
  if ('channel_post' in update) return post(update.channel_post, deps);
  if ('edited_message' in update) return edit(update.edited_message, deps);
  if ('edited_channel_post' in update) return edit(update.edited_channel_post, deps);
  return undefined;
}

function post(msg: Message, deps: InboundDeps): Inbound | undefined {
  if (isOwn(msg, deps.me)) return undefined;
  const { text, attachments } = content(msg, deps);
  const command = msg.text === undefined ? text : normalizeCommand(msg.text, text, deps);
  if (command === undefined) return undefined; // a command for another bot
  if (!command.trim() && attachments.length === 0) return undefined; // service message
  const replyTo = replyToOf(msg);
  return {
    kind: 'post',
    room: roomOfMessage(msg),
    eventId: `msg:${msg.chat.id}:${msg.message_id}`,
    id: remoteId(msg.message_id),
    author: authorOf(msg),
    text: command,
    ...(attachments.length ? { attachments } : {}),
    ...(replyTo === undefined ? {} : { replyTo: remoteId(replyTo) }),
    raw: msg,
  };
}

function edit(msg: Message, deps: InboundDeps): Inbound | undefined {
  if (isOwn(msg, deps.me)) return undefined;
  const { text } = content(msg, deps);
  return {
    kind: 'edit',
    room: roomOfMessage(msg),
    eventId: `edit:${msg.chat.id}:${msg.message_id}:${msg.edit_date ?? msg.date}`,
    id: remoteId(msg.message_id),
    author: authorOf(msg),
    text,
    raw: msg,
  };
}

function isOwn(msg: Message, me: User): boolean {
  return msg.from?.id === me.id;
}

/** A message in a forum topic lives in the room `<chat>/<topic>`; everything else in `<chat>`. */
function roomOfMessage(msg: Message) {
  return msg.is_topic_message && msg.message_thread_id !== undefined
    ? roomOf(msg.chat.id, msg.message_thread_id)
    : roomOf(msg.chat.id);
}

function replyToOf(msg: Message): number | undefined {
  const r = msg.reply_to_message;
  if (!r) return undefined;
  // In a topic every message "replies" to the topic's creation message: that is no reply.
  if (msg.is_topic_message && r.message_id === msg.message_thread_id) return undefined;
  return r.message_id;
}

export function authorOf(msg: Message): Author {
  const u = msg.from;
  if (u && !(msg.sender_chat && u.is_bot)) {
    const name = [u.first_name, u.last_name].filter(Boolean).join(' ').trim() || u.username || String(u.id);
    return { id: String(u.id), name };
  }
  const c = msg.sender_chat ?? msg.chat;
  const name = msg.author_signature || c.title || [c.first_name, c.last_name].filter(Boolean).join(' ') || String(c.id);
  return { id: String(c.id), name };
}

/**
 * `/sameroom …` and `/sameroom@ThisBot …` become `-sameroom …`; `/sameroom@OtherBot` is not
 * ours (undefined: drop it). Anything else is returned as it came.
 */
export function normalizeCommand(raw: string, canonical: string, deps: InboundDeps): string | undefined {
  const m = sigilCommand(raw, '/', deps.commandWord, deps.me.username ?? '');
  if (m === undefined) return canonical;
  if (m === null) return undefined;
  const prefix = escapeText(raw.slice(0, m.head));
  const rest = canonical.startsWith(prefix) ? canonical.slice(prefix.length) : escapeText(raw.slice(m.head));
  return `-${deps.commandWord}${rest}`;
}

interface Content {
  readonly text: string;
  readonly attachments: InboundAttachment[];
}

function content(msg: Message, deps: InboundDeps): Content {
  const body =
    msg.text !== undefined
      ? entitiesToCanonical(msg.text, msg.entities)
      : entitiesToCanonical(msg.caption ?? '', msg.caption_entities);
  const attachments: InboundAttachment[] = [];
  const notes: string[] = [];
  for (const f of filesOf(msg)) {
    if (f.size !== undefined && f.size > MAX_DOWNLOAD_BYTES) {
      notes.push(escapeText(`[${f.name}: ${(f.size / 1024 / 1024).toFixed(1)} MB, too big for a bot to download]`));
      continue;
    }
    attachments.push({
      name: f.name,
      mime: f.mime,
      ...(f.size === undefined ? {} : { size: f.size }),
      fetch: () => deps.download(f.fileId),
    });
  }
  const s = msg.sticker;
  if (s && (s.is_animated || s.is_video)) notes.push(escapeText(`[sticker${s.emoji ? ` ${s.emoji}` : ''}]`));
  return { text: [body, ...notes].filter(Boolean).join('\n'), attachments };
}

interface FileRef {
  readonly fileId: string;
  readonly name: string;
  readonly mime: string;
  readonly size?: number;
}

function filesOf(msg: Message): FileRef[] {
  const ref = (fileId: string, name: string, mime: string, size?: number): FileRef =>
    size === undefined ? { fileId, name, mime } : { fileId, name, mime, size };
  const out: FileRef[] = [];
  if (msg.photo?.length) {
    const best = msg.photo.reduce((a, b) => (area(b) > area(a) ? b : a));
    out.push(ref(best.file_id, 'photo.jpg', 'image/jpeg', best.file_size));
  }
  const a = msg.animation;
  if (a) out.push(ref(a.file_id, a.file_name ?? 'animation.mp4', a.mime_type ?? 'video/mp4', a.file_size));
  // An animation message carries the same file as `document` too.
  const d = msg.document;
  if (d && !a) out.push(ref(d.file_id, d.file_name ?? 'file', d.mime_type ?? 'application/octet-stream', d.file_size));
  const v = msg.video;
  if (v) out.push(ref(v.file_id, v.file_name ?? 'video.mp4', v.mime_type ?? 'video/mp4', v.file_size));
  const au = msg.audio;
  if (au) out.push(ref(au.file_id, au.file_name ?? 'audio.mp3', au.mime_type ?? 'audio/mpeg', au.file_size));
  const vo = msg.voice;
  if (vo) out.push(ref(vo.file_id, 'voice.ogg', vo.mime_type ?? 'audio/ogg', vo.file_size));
  const vn = msg.video_note;
  if (vn) out.push(ref(vn.file_id, 'video-note.mp4', 'video/mp4', vn.file_size));
  const s = msg.sticker;
  if (s && !s.is_animated && !s.is_video) out.push(ref(s.file_id, 'sticker.webp', 'image/webp', s.file_size));
  return out;
}

function area(p: { width: number; height: number; file_size?: number }): number {
  return p.width * p.height || (p.file_size ?? 0);
}
