/**
 * Outbound: copies with chat.postMessage under the author's name and avatar, files with the v2
 * upload flow (files.getUploadURLExternal → POST bytes → files.completeUploadExternal), edits
 * with chat.update, deletes with chat.delete. Text is canonical markup rendered to mrkdwn with
 * every user character entity-encoded and `link_names: false`, so no copy can ping anyone.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { fromHttpStatus } from '../../src/errors.js';
import { defuseMentions, splitText } from '../../src/markup.js';
import { remoteId, type OutboundDelete, type OutboundEdit, type OutboundPost, type RemoteMessageId, type RoomRef, type StoredFile } from '../../src/model.js';
import { call, retryAfterMs } from './errors.js';
import { canonicalLink, canonicalToMrkdwn, escapeMrkdwn } from './format.js';

/** Slack truncates past 40 000 characters and recommends 4 000: copies are split at 4 000. */
export const MAX_TEXT = 4000;
/** Slack takes files up to 1 GB; the bridge uploads up to 100 MB and links bigger ones. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
const MAX_USERNAME = 80;

export interface OutboundDeps {
  readonly client: WebClient;
  readonly readFile: (id: string) => Promise<Uint8Array | null>;
  readonly log: Logger;
  readonly maxFileBytes?: number;
  readonly fetch?: typeof fetch;
}

interface Poster {
  readonly username?: string;
  readonly iconUrl?: string;
}

async function postChunks(deps: OutboundDeps, room: RoomRef, text: string, threadTs: string | undefined, as: Poster): Promise<RemoteMessageId[]> {
  const ids: RemoteMessageId[] = [];
  for (const chunk of splitText(text, MAX_TEXT)) {
    if (!chunk.trim()) continue;
    const res = await call('chat.postMessage', () =>
      deps.client.chat.postMessage({
        channel: room.channel,
        text: canonicalToMrkdwn(chunk),
        link_names: false,
        unfurl_links: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(as.username ? { username: as.username } : {}),
        ...(as.iconUrl ? { icon_url: as.iconUrl } : {}),
      }),
    );
    if (res.ts) ids.push(remoteId(res.ts));
  }
  return ids;
}

interface Prepared {
  readonly id: string;
  readonly title: string;
}

/** Steps 1 and 2 of the upload: get an upload URL and send the bytes there. */
async function prepareUpload(deps: OutboundDeps, file: StoredFile, bytes: Uint8Array): Promise<Prepared> {
  const res = await call('files.getUploadURLExternal', () =>
    deps.client.files.getUploadURLExternal({ filename: file.name, length: bytes.length }),
  );
  if (!res.upload_url || !res.file_id) throw fromHttpStatus(502, 'slack files.getUploadURLExternal: no upload_url');
  const put = await (deps.fetch ?? fetch)(res.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Blob([new Uint8Array(bytes)]),
  });
  await put.arrayBuffer().catch(() => undefined);
  // The upload URL is signed: never put it in a message.
  if (!put.ok) throw fromHttpStatus(put.status, `slack file upload: HTTP ${put.status}`, retryAfterMs(put.headers.get('retry-after')));
  return { id: res.file_id, title: file.name };
}

/** ts of the message a completed upload made, from the reply's shares or from the history. */
async function fileMessageTs(
  deps: OutboundDeps,
  channel: string,
  threadTs: string | undefined,
  files: readonly { id?: string; shares?: unknown }[],
  ids: readonly string[],
): Promise<string | undefined> {
  for (const f of files) {
    const shares = f.shares;
    if (typeof shares !== 'object' || shares === null) continue;
    for (const kind of Object.values(shares as Record<string, unknown>)) {
      const list = typeof kind === 'object' && kind !== null ? (kind as Record<string, unknown>)[channel] : undefined;
      const ts = Array.isArray(list) ? (list[0] as { ts?: unknown } | undefined)?.ts : undefined;
      if (typeof ts === 'string') return ts;
    }
  }
  // Slack shares files asynchronously: the reply often has no shares yet. Look in the channel.
  try {
    const res = threadTs
      ? await deps.client.conversations.replies({ channel, ts: threadTs, limit: 50 })
      : await deps.client.conversations.history({ channel, limit: 20 });
    const hit = res.messages?.find((m) => m.files?.some((f) => f.id !== undefined && ids.includes(f.id)));
    return hit?.ts;
  } catch (err) {
    deps.log.warn({ err, channel }, 'slack: could not find the message of an upload');
    return undefined;
  }
}

/** Post a copy under its author's name; returns every message ts made, text first. */
export async function sendPost(post: OutboundPost, deps: OutboundDeps): Promise<RemoteMessageId[]> {
  const max = deps.maxFileBytes ?? MAX_FILE_BYTES;
  const toUpload: { file: StoredFile; bytes: Uint8Array }[] = [];
  const links: StoredFile[] = [];
  for (const file of post.attachments) {
    const bytes = file.size <= max ? await deps.readFile(file.id) : null;
    if (bytes && bytes.length <= max) toUpload.push({ file, bytes });
    else links.push(file);
  }
  // Upload bytes before posting anything, so a failed upload leaves no half-sent copy behind.
  const prepared: Prepared[] = [];
  for (const u of toUpload) prepared.push(await prepareUpload(deps, u.file, u.bytes));

  const text = [post.text, ...links.map((f) => canonicalLink(f.url, f.name))].filter((t) => t.trim()).join('\n');
  const as: Poster = {
    username: (post.author.name.trim() || post.author.id).slice(0, MAX_USERNAME),
    ...(post.author.avatarUrl && /^https?:\/\//i.test(post.author.avatarUrl) ? { iconUrl: post.author.avatarUrl } : {}),
  };
  const ids = await postChunks(deps, post.room, text, post.replyTo, as);

  const [first, ...rest] = prepared;
  if (first) {
    const n = prepared.length;
    // Files show as uploaded by the bot: the comment says whose they are.
    const comment = `${escapeMrkdwn(defuseMentions(as.username ?? ''))} sent ${n === 1 ? 'a file' : `${n} files`}`;
    const done = await call('files.completeUploadExternal', () =>
      deps.client.files.completeUploadExternal({
        files: [first, ...rest],
        channel_id: post.room.channel,
        ...(post.replyTo ? { thread_ts: post.replyTo } : {}),
        initial_comment: comment,
      }),
    );
    const ts = await fileMessageTs(deps, post.room.channel, post.replyTo, done.files ?? [], prepared.map((p) => p.id));
    if (ts) ids.push(remoteId(ts));
  }
  return ids;
}

/** Post as the bot itself (command answers). A slash command has no message to thread under. */
export function sayText(deps: OutboundDeps, room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
  return postChunks(deps, room, text, replyTo && /^\d+\.\d+$/.test(replyTo) ? replyTo : undefined, {});
}

export async function editMessage(deps: OutboundDeps, edit: OutboundEdit): Promise<void> {
  await call('chat.update', () =>
    deps.client.chat.update({
      channel: edit.room.channel,
      ts: edit.id,
      text: canonicalToMrkdwn(splitText(edit.text, MAX_TEXT)[0] ?? ''),
      link_names: false,
    }),
  );
}

export async function deleteMessage(deps: OutboundDeps, del: OutboundDelete): Promise<void> {
  await call('chat.delete', () => deps.client.chat.delete({ channel: del.room.channel, ts: del.id }));
}
