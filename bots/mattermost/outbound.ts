/**
 * Outbound: copies posted under the author's name (`props.override_username`,
 * `override_icon_url`, `from_webhook`), files uploaded and attached by `file_ids`, thread
 * replies by `root_id`, edits (PUT /posts/{id}/patch) and deletes.
 */
import type { BotContext } from '../../src/bot.js';
import { splitText } from '../../src/markup.js';
import type { Author, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import type { MattermostClient } from './client.js';
import { canonicalToMattermost } from './format.js';
import { runeLength, type MmPost, type MmPostPatch, type OverrideProps } from './types.js';

/** Mattermost's post limit (PostMessageMaxRunesV2 = 65535 / 4). */
export const MAX_RUNES = 16_383;
/** Attachments per post (PostFileidsMaxRunes fits ten ids). */
export const MAX_FILES_PER_POST = 10;

export function overrideProps(author: Author): OverrideProps {
  return {
    override_username: author.name,
    ...(author.avatarUrl ? { override_icon_url: author.avatarUrl } : {}),
    from_webhook: 'true',
  };
}

export class MattermostOutbound {
  constructor(
    private readonly client: MattermostClient,
    private readonly ctx: () => BotContext,
    private readonly maxFileBytes: () => number,
  ) {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const channelId = post.room.channel;
    const fileIds: string[] = [];
    const links: StoredFile[] = [];
    for (const file of post.attachments) {
      const bytes = file.size <= this.maxFileBytes() ? await this.ctx().readFile(file.id) : null;
      if (bytes) fileIds.push((await this.client.upload(channelId, file.name, file.mime, bytes)).id);
      else links.push(file);
    }
    const text = [post.text, ...links.map((f) => `[${f.name.replace(/[\\[\]]/g, '\\$&')}](${f.url})`)].filter(Boolean).join('\n');
    return this.create(channelId, text, post.replyTo, overrideProps(post.author), fileIds);
  }

  say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    return this.create(room.channel, text, replyTo, {}, []);
  }

  /**
   * Patch only the message. The copy keeps its override props (username, icon) as posted: a
   * full PUT would blank the props it did not resend, and a patch that sent `props` would
   * replace the whole map, so an edit whose author has no avatar would drop the icon.
   */
  async edit(edit: OutboundEdit): Promise<void> {
    const message = fit(canonicalToMattermost(edit.text))[0] ?? '';
    const patch: MmPostPatch = { message };
    await this.client.json('PUT', `/api/v4/posts/${encodeURIComponent(edit.id)}/patch`, patch);
  }

  async delete(del: OutboundDelete): Promise<void> {
    await this.client.json('DELETE', `/api/v4/posts/${encodeURIComponent(del.id)}`);
  }

  /** Mattermost threads hang off a root post: a reply to a reply goes to its root. */
  private async rootOf(id: RemoteMessageId): Promise<string> {
    const target = await this.client.get<MmPost>(`/api/v4/posts/${encodeURIComponent(id)}`);
    return target.root_id || target.id;
  }

  private async create(channelId: string, text: string, replyTo: RemoteMessageId | undefined, props: OverrideProps, fileIds: string[]): Promise<RemoteMessageId[]> {
    const rootId = replyTo ? await this.rootOf(replyTo) : '';
    const messages = fit(canonicalToMattermost(text));
    const fileGroups: string[][] = [];
    for (let i = 0; i < fileIds.length; i += MAX_FILES_PER_POST) fileGroups.push(fileIds.slice(i, i + MAX_FILES_PER_POST));
    const posts = Math.max(messages.length, fileGroups.length);
    const ids: RemoteMessageId[] = [];
    for (let i = 0; i < posts; i++) {
      // Files ride on the last text chunk(s), so the text reads first.
      const files = fileGroups[i - (posts - fileGroups.length)] ?? [];
      const body = { channel_id: channelId, message: messages[i] ?? '', root_id: rootId, file_ids: files, props };
      const created = await this.client.json<MmPost>('POST', '/api/v4/posts', body);
      ids.push(remoteId(created.id));
    }
    return ids;
  }
}

/** Split a rendered message to the rune limit, never separating a backslash from what it escapes. */
export function fit(message: string): string[] {
  if (!message.trim()) return [];
  if (runeLength(message) <= MAX_RUNES) return [message];
  const chunks = splitText(message, MAX_RUNES - 1);
  for (let i = 0; i < chunks.length - 1; i++) {
    const trailing = /\\+$/.exec(chunks[i] ?? '')?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      chunks[i] = (chunks[i] ?? '').slice(0, -1);
      chunks[i + 1] = `\\${chunks[i + 1] ?? ''}`;
    }
  }
  return chunks;
}
