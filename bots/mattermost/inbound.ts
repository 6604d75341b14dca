/**
 * Mattermost WebSocket events → `Inbound`. `posted`, `post_edited` and `post_deleted` carry the
 * post as a JSON string in `data.post`. Posts by the bot's user id are dropped: that includes
 * every copy the bot made with overridden names, which still carry the bot's `user_id`.
 */
import type { Author, Inbound, InboundAttachment, RoomRef } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import { mattermostToCanonical } from './format.js';
import { isRecord, str, type MmFileInfo, type MmPost, type MmWsEvent } from './types.js';
import { mentionToCommand } from '../../src/command.js';

export interface InboundDeps {
  readonly botUserId: string;
  readonly botUsername: string;
  readonly commandWord: string;
  /** The room of a channel: workspace is the team id (none for direct messages). */
  room(channelId: string, teamHint?: string): Promise<RoomRef>;
  author(post: MmPost): Promise<Author>;
  files(post: MmPost): Promise<MmFileInfo[]>;
  download(fileId: string): () => Promise<Uint8Array>;
}

/** Parse `data.post`, which Mattermost sends as a JSON string. */
export function postOf(ev: MmWsEvent): MmPost | undefined {
  const raw = ev.data?.post;
  let post: unknown = raw;
  if (typeof raw === 'string') {
    try {
      post = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  return isRecord(post) && typeof post.id === 'string' && typeof post.channel_id === 'string' ? (post as unknown as MmPost) : undefined;
}

export async function toInbound(ev: MmWsEvent, deps: InboundDeps): Promise<Inbound | undefined> {
  const kind = ev.event;
  if (kind !== 'posted' && kind !== 'post_edited' && kind !== 'post_deleted') return undefined;
  const post = postOf(ev);
  if (!post || post.user_id === deps.botUserId) return undefined;
  // System messages (joins, header changes, ...) have a type; `/me` posts have type "me".
  if (post.type && post.type !== 'me') return undefined;
  const room = await deps.room(post.channel_id, str(ev.data?.team_id) || ev.broadcast?.team_id || undefined);
  const id = remoteId(post.id);
  if (kind === 'post_deleted') return { kind: 'delete', room, id, eventId: `${post.id}:deleted`, raw: ev };
  const action = post.type === 'me';
  const text = mattermostToCanonical(action ? post.message.replace(/^\*(.*)\*$/s, '$1') : post.message);
  const author = await deps.author(post);
  if (kind === 'post_edited') return { kind: 'edit', room, id, eventId: `${post.id}:${post.edit_at}`, author, text, raw: ev };
  const attachments: InboundAttachment[] = (await deps.files(post)).map((f) => ({
    name: f.name,
    mime: f.mime_type || 'application/octet-stream',
    size: f.size,
    fetch: deps.download(f.id),
  }));
  if (!text.trim() && attachments.length === 0) return undefined;
  return {
    kind: 'post',
    room,
    id,
    eventId: post.id,
    author,
    text: normalizeCommand(post.message, deps) ?? text,
    ...(attachments.length ? { attachments } : {}),
    ...(post.root_id ? { replyTo: remoteId(post.root_id) } : {}),
    ...(action ? { action } : {}),
    raw: ev,
  };
}

/** `@sameroom open` (a leading mention of the bot) → `-sameroom open`. */
export function normalizeCommand(message: string, deps: Pick<InboundDeps, 'botUsername' | 'commandWord'>): string | undefined {
  return mentionToCommand(message, { names: [deps.botUsername], style: 'at' }, deps.commandWord);
}

/** Display name: nickname, else full name, else username; integrations' overridden name wins. */
export function displayName(user: { username: string; nickname?: string; first_name?: string; last_name?: string }): string {
  const full = `${user.first_name ?? ''} ${user.last_name ?? ''}`.trim();
  return user.nickname || full || user.username;
}
