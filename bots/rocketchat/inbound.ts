/**
 * Rocket.Chat realtime events → `Inbound`. Messages come on `stream-room-messages`
 * (`__my_messages__`): a message with `editedAt` is an edit, `t: 'rm'` a deletion (with "show
 * deleted status" on); deletions also come on `stream-notify-room` `<rid>/deleteMessage`.
 * The bot's own messages (its user id, whatever alias they show) are dropped.
 */
import type { Author, Inbound, InboundAttachment, RoomRef } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { rocketToCanonical } from './format.js';
import { dateMs, type RcMessage } from './types.js';
import { mentionToCommand } from '../../src/command.js';

export interface InboundDeps {
  readonly botUserId: string;
  readonly botUsername: string;
  readonly commandWord: string;
  /** Base URL, for avatar links. */
  readonly baseUrl: string;
  /** Download a server-relative file path with the bot's credentials. */
  download(path: string): () => Promise<Uint8Array>;
}

export function rocketRoom(rid: string): RoomRef {
  return { platform: 'rocketchat', channel: rid };
}

export function toInbound(m: RcMessage, deps: InboundDeps): Inbound | undefined {
  if (m.u._id === deps.botUserId || m._hidden) return undefined;
  const room = rocketRoom(m.rid);
  const id = remoteId(m._id);
  if (m.t === 'rm') return { kind: 'delete', room, id, eventId: `${m._id}:rm`, raw: m };
  if (m.t) return undefined; // joins, leaves, topic changes, … are system messages
  const author = authorOf(m, deps);
  const text = rocketToCanonical(m.msg ?? '');
  const edited = dateMs(m.editedAt);
  if (edited !== undefined) return { kind: 'edit', room, id, eventId: `${m._id}:edit:${edited}`, author, text, raw: m };
  const attachments = filesOf(m, deps);
  const caption = m.attachments?.find((a) => a.description)?.description;
  const body = text || (caption ? rocketToCanonical(caption) : '');
  if (!body.trim() && attachments.length === 0) return undefined;
  return {
    kind: 'post',
    room,
    id,
    eventId: m._id,
    author,
    text: normalizeCommand(m.msg ?? '', deps) ?? body,
    ...(attachments.length ? { attachments } : {}),
    ...(m.tmid ? { replyTo: remoteId(m.tmid) } : {}),
    raw: m,
  };
}

export function deleteEvent(rid: string, messageId: string): Inbound {
  return { kind: 'delete', room: rocketRoom(rid), id: remoteId(messageId), eventId: `${messageId}:rm`, raw: { rid, _id: messageId } };
}

function authorOf(m: RcMessage, deps: InboundDeps): Author {
  const name = m.alias || m.u.name || m.u.username;
  const avatarUrl = m.avatar || `${deps.baseUrl}/avatar/${encodeURIComponent(m.u.username)}`;
  return { id: m.u._id, name, avatarUrl };
}

/** Uploaded files: `files` (or the older single `file`), fetched from `/file-upload/{id}/{name}`. */
function filesOf(m: RcMessage, deps: InboundDeps): InboundAttachment[] {
  const files = m.files?.length ? m.files : m.file ? [m.file] : [];
  return files.map((f) => {
    const att = m.attachments?.find((a) => a.title_link?.includes(`/${f._id}/`));
    const path = att?.title_link ?? `/file-upload/${encodeURIComponent(f._id)}/${encodeURIComponent(f.name)}`;
    return {
      name: f.name,
      mime: f.type ?? att?.image_type ?? 'application/octet-stream',
      ...(f.size !== undefined ? { size: f.size } : {}),
      fetch: deps.download(path),
    };
  });
}

/** `@sameroom open` (a leading mention of the bot) → `-sameroom open`. */
export function normalizeCommand(msg: string, deps: Pick<InboundDeps, 'botUsername' | 'commandWord'>): string | undefined {
  return mentionToCommand(msg, { names: [deps.botUsername], style: 'at' }, deps.commandWord);
}
