/**
 * Posting, editing and deleting through stored conversation references: every bridge copy is a
 * proactive message, sent with the Agents SDK's ConnectorClient to the room's `serviceUrl`
 * (`sendToConversation`, `replyToActivity`, `updateActivity`, `deleteActivity`).
 *
 * Conversation and activity ids go into the URL path percent-encoded (the SDK puts them in as
 * they are): a stored id cannot point a request, and the bot's token, at another path.
 */
import { Activity, type ConversationReference } from '@microsoft/agents-activity';
import type { ConnectorClient } from '@microsoft/agents-hosting';
import { DeliveryError } from '../../src/errors.js';
import { splitText } from '../../src/markup.js';
import { remoteId, roomKey, type RemoteMessageId, type RoomRef, type StoredFile } from '../../src/model.js';
import { toDeliveryError } from './errors.js';
import { canonicalToTeamsHtml } from './format.js';
import { escapeHtml } from './html.js';
import { withoutEmptyStrings, type ConnectorFactory } from './transport.js';
import { threadConversationId, type BoundedMap, type ConversationRefs, type StoredReference } from './rooms.js';

/** Teams refuses activities over ~28 KB (413 MessageSizeTooBig); keep each text well under. */
export const MAX_TEXT_BYTES = 24_000;

export interface OutboundDeps {
  readonly connector: ConnectorFactory;
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
  fn: (client: ConnectorClient, ref: StoredReference) => Promise<T>,
): Promise<T> {
  const ref = await deps.refs.get(room);
  if (!ref) {
    throw new DeliveryError('not_found', `teams ${op}: no conversation reference for ${roomKey(room)}; the app must be installed there and see one activity first`);
  }
  try {
    return await fn(await deps.connector(ref.serviceUrl), ref);
  } catch (err) {
    throw toDeliveryError(err, op);
  }
}

const enc = encodeURIComponent;

function messageActivity(html: string, ref: ConversationReference, extra: Partial<Activity> = {}): Activity {
  // References stored by earlier versions carry empty names, which the SDK's schema refuses.
  return Activity.fromObject(
    withoutEmptyStrings({
      type: 'message',
      text: html,
      textFormat: 'xml',
      channelId: ref.channelId,
      conversation: ref.conversation,
      ...(ref.agent ? { from: ref.agent } : {}),
      ...extra,
    }),
  );
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
  return withConversation(deps, room, 'send', async (client, ref) => {
    const base = ref.conversation.id;
    const isChannel = ref.conversation.conversationType === 'channel';
    const root = replyTo ? (deps.roots.get(replyTo) ?? replyTo) : undefined;
    const ids: RemoteMessageId[] = [];
    for (const body of bodies) {
      let res: { id?: string };
      if (root && isChannel) {
        const threadId = threadConversationId(base, root);
        const activity = messageActivity(body, ref, { conversation: { ...ref.conversation, id: threadId }, replyToId: root });
        res = await client.replyToActivity(enc(threadId), root, activity);
      } else if (replyTo) {
        res = await client.replyToActivity(enc(base), replyTo, messageActivity(body, ref, { replyToId: replyTo }));
      } else {
        res = await client.sendToConversation(enc(base), messageActivity(body, ref));
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
  await withConversation(deps, room, 'edit', async (client, ref) => {
    await client.updateActivity(enc(ref.conversation.id), enc(id), messageActivity(body, ref, { id }));
  });
}

export async function deleteMessage(deps: OutboundDeps, room: RoomRef, id: RemoteMessageId): Promise<void> {
  await withConversation(deps, room, 'delete', async (client, ref) => {
    await client.deleteActivity(enc(ref.conversation.id), enc(id));
  });
}
