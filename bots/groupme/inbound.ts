/**
 * GroupMe callback message → normalized `Inbound`. Pure apart from the download closures.
 *
 * Only messages sent by people (`sender_type: 'user'`) are bridged: `bot` messages include this
 * bridge's own posts echoed back to its callback, and `system` ones are GroupMe's notices.
 */
import type { Author, InboundAttachment, InboundPost, RoomRef } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { commandFromMention, imageMeta, locationLine, toCanonical, type Mention } from './format.js';
import { field, type CallbackMessage, type RawAttachment } from './types.js';

export const PLATFORM = 'groupme';

export interface InboundOptions {
  readonly botName: string;
  readonly commandWord: string;
  /** Downloads a GroupMe-hosted file (image or video URL). */
  readonly download: (url: string) => Promise<Uint8Array>;
}

export const roomOf = (groupId: string): RoomRef => ({ platform: PLATFORM, channel: groupId });

/** Is this a message a person sent (not a bot, this bridge included, nor GroupMe itself)? */
export function isFromPerson(msg: CallbackMessage): boolean {
  return msg.sender_type === 'user' && !msg.system;
}

export function toInbound(msg: CallbackMessage, opts: InboundOptions): InboundPost | undefined {
  if (!isFromPerson(msg)) return undefined;
  const mentions: Mention[] = [];
  const attachments: InboundAttachment[] = [];
  const extra: string[] = [];
  let replyTo: string | undefined;
  for (const a of msg.attachments) {
    switch (a.type) {
      case 'image':
      case 'video':
        pushFile(a, attachments, opts);
        break;
      case 'reply':
        replyTo = field(a, 'reply_id') ?? field(a, 'base_reply_id');
        break;
      case 'mentions':
        mentions.push(...mentionsOf(a));
        break;
      case 'location': {
        const lat = field(a, 'lat');
        const lng = field(a, 'lng');
        if (lat && lng) extra.push(locationLine(field(a, 'name'), lat, lng));
        break;
      }
      default:
        break;
    }
  }
  const command = commandFromMention(msg.text, opts.botName, opts.commandWord);
  const text = [command ?? toCanonical(msg.text, mentions), ...extra].filter((t) => t !== '').join('\n');
  if (text === '' && attachments.length === 0) return undefined;
  const author: Author = {
    id: msg.sender_id || msg.user_id || '',
    name: msg.name || 'GroupMe user',
    ...(msg.avatar_url ? { avatarUrl: msg.avatar_url } : {}),
  };
  return {
    kind: 'post',
    room: roomOf(msg.group_id),
    eventId: `msg:${msg.id}`,
    id: remoteId(msg.id),
    author,
    text,
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(replyTo ? { replyTo: remoteId(replyTo) } : {}),
    raw: msg,
  };
}

function pushFile(a: RawAttachment, out: InboundAttachment[], opts: InboundOptions): void {
  const url = field(a, 'url');
  if (!url) return;
  const meta = a.type === 'video' ? { name: 'video.mp4', mime: 'video/mp4' } : imageMeta(url);
  out.push({ name: meta.name, mime: meta.mime, fetch: () => opts.download(url) });
}

/** `{type:'mentions', user_ids:[…], loci:[[start, length], …]}` → one Mention per locus. */
function mentionsOf(a: RawAttachment): Mention[] {
  const ids = Array.isArray(a.user_ids) ? a.user_ids : [];
  const loci = Array.isArray(a.loci) ? a.loci : [];
  const out: Mention[] = [];
  loci.forEach((locus: unknown, i) => {
    if (!Array.isArray(locus) || locus.length < 2) return;
    const [start, length] = locus as unknown[];
    if (typeof start !== 'number' || typeof length !== 'number') return;
    const id: unknown = ids[i];
    out.push({ userId: typeof id === 'string' || typeof id === 'number' ? String(id) : '', start, length });
  });
  return out;
}
