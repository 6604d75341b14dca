/**
 * Posting, editing and deleting through stored conversation references
 * (`adapter.continueConversationAsync`): every bridge copy is a proactive message.
 *
 * Posts go straight to the turn's connector client (`sendToConversation` / `replyToActivity`):
 * `context.sendActivity` in a proactive turn would set `replyToId` to the continuation
 * activity's random id. Edits and deletes use `context.updateActivity` / `deleteActivity`.
 */
import type { Activity, ConversationReference } from 'botframework-schema';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { DeliveryError } from '../../src/errors.js';
import { splitText } from '../../src/markup.js';
import { remoteId, roomKey, type RemoteMessageId, type RoomRef, type StoredFile } from '../../src/model.js';
import { toDeliveryError } from './errors.js';
import { canonicalToTeamsHtml } from './format.js';
import { escapeHtml } from './html.js';
import { connectorOf } from './transport.js';
import { threadConversationId, type BoundedMap, type ConversationRefs } from './rooms.js';

/** Teams refuses activities over ~28 KB (413 MessageSizeTooBig); keep each text well under. */
export const MAX_TEXT_BYTES = 24_000;

export interface OutboundDeps {
  readonly adapter: CloudAdapter;
  readonly appId: string;
  readonly refs: ConversationRefs;
  /** Message id → its channel thread root (inbound thread replies and copies posted into threads). */
  readonly roots: BoundedMap<string>;
  /** Ids this bot posted (echo guard). */
  readonly own: BoundedMap<true>;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Render canonical text to Teams HTML chunks of at most `limit` bytes each. */
export function renderChunks(text: string, limit = MAX_TEXT_BYTES): string[] {
  const out: string[] = [];
  const queue = [text];
  while (queue.length > 0) {
    const t = queue.shift() ?? '';
    const html = canonicalToTeamsHtml(t);
    if (bytes(html) <= limit || t.length < 2) out.push(html);
    else queue.unshift(...splitText(t, Math.ceil(t.length / 2)));
  }
  return out;
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Files are posted as links (maxFileBytes 0): one line per file. */
export function fileLinks(files: readonly StoredFile[]): string {
  return files.map((f) => `📎 <a href="${escapeHtml(f.url)}">${escapeHtml(f.name)}</a> (${formatSize(f.size)})`).join('<br>');
}

/** The message texts (HTML) of one post: its text in chunks, file links with the last chunk. */
export function messageBodies(text: string, files: readonly StoredFile[]): string[] {
  const chunks = text.trim() ? renderChunks(text) : [];
  const links = fileLinks(files);
  if (!links) return chunks.length ? chunks : [''];
  const last = chunks[chunks.length - 1];
  if (last !== undefined && bytes(last) + bytes(links) + 4 <= MAX_TEXT_BYTES) chunks[chunks.length - 1] = `${last}<br>${links}`;
  else chunks.push(links);
  return chunks;
}

async function withConversation<T>(
  deps: OutboundDeps,
  room: RoomRef,
  op: string,
  fn: (context: TurnContext, ref: Partial<ConversationReference>) => Promise<T>,
): Promise<T> {
  const ref = await deps.refs.get(room);
  if (!ref) {
    throw new DeliveryError('not_found', `teams ${op}: no conversation reference for ${roomKey(room)}; the app must be installed there and see one activity first`);
  }
  const box: { value?: T } = {};
  try {
    await deps.adapter.continueConversationAsync(deps.appId, ref, async (context) => {
      box.value = await fn(context, ref);
    });
  } catch (err) {
    throw toDeliveryError(err, op);
  }
  if (!('value' in box)) throw new Error(`teams ${op}: the proactive turn did not run`);
  return box.value as T;
}

function messageActivity(html: string, ref: Partial<ConversationReference>): Partial<Activity> {
  return { type: 'message', text: html, textFormat: 'xml', ...(ref.bot ? { from: ref.bot } : {}) };
}

/** Post text (canonical) and file links in a room; returns the ids of the messages made. */
export async function postMessage(
  deps: OutboundDeps,
  room: RoomRef,
  text: string,
  files: readonly StoredFile[],
  replyTo?: RemoteMessageId,
): Promise<RemoteMessageId[]> {
  const bodies = messageBodies(text, files);
  return withConversation(deps, room, 'send', async (context, ref) => {
    const conversations = connectorOf(deps.adapter, context).conversations;
    const base = ref.conversation?.id ?? room.channel;
    const isChannel = ref.conversation?.conversationType === 'channel';
    const root = replyTo ? (deps.roots.get(replyTo) ?? replyTo) : undefined;
    const ids: RemoteMessageId[] = [];
    for (const body of bodies) {
      const activity = messageActivity(body, ref);
      let res: { id?: string };
      if (root && isChannel) {
        const threadId = threadConversationId(base, root);
        res = await conversations.replyToActivity(threadId, root, { ...activity, conversation: { ...ref.conversation, id: threadId } as Activity['conversation'], replyToId: root });
      } else if (replyTo) {
        res = await conversations.replyToActivity(base, replyTo, { ...activity, replyToId: replyTo });
      } else {
        res = await conversations.sendToConversation(base, activity);
      }
      if (!res.id) throw new DeliveryError('rejected', 'teams send: the connector returned no message id');
      deps.own.set(res.id, true);
      if (root && isChannel) deps.roots.set(res.id, root);
      ids.push(remoteId(res.id));
    }
    return ids;
  });
}

/** Replace the text of a message the bot posted (only the first chunk fits an edit). */
export async function editMessage(deps: OutboundDeps, room: RoomRef, id: RemoteMessageId, text: string): Promise<void> {
  const [body = ''] = renderChunks(text);
  await withConversation(deps, room, 'edit', async (context, ref) => {
    await context.updateActivity({ ...messageActivity(body, ref), id });
  });
}

export async function deleteMessage(deps: OutboundDeps, room: RoomRef, id: RemoteMessageId): Promise<void> {
  await withConversation(deps, room, 'delete', async (context) => {
    await context.deleteActivity(id);
  });
}
