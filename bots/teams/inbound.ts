/**
 * Bot Framework activity from Teams → normalized `Inbound` event. No network here except inside
 * the attachments' `fetch()` closures, which the core calls later.
 */
import type { Activity, Attachment, Entity } from '@microsoft/agents-activity';
import { escapeText, toPlain } from '../../src/markup.js';
import { remoteId, type Author, type Inbound, type InboundAttachment, type RoomRef } from '../../src/model.js';
import { teamsHtmlToCanonical, teamsTextToCanonical } from './format.js';
import { channelInfo, splitConversationId } from './rooms.js';
import { verbToCommand } from '../../src/command.js';

export interface InboundOptions {
  readonly room: RoomRef;
  readonly appId: string;
  readonly commandWord: string;
  /** the command verbs and aliases (from the core's context): `@Sameroom open` → `-sameroom open` */
  readonly verbs: readonly string[];
  /** Ids of messages this bot posted: their echoes are dropped. */
  readonly isOwn: (id: string) => boolean;
  /** The bot's bearer token for attachments hosted by the connector (serviceUrl). */
  readonly token: () => Promise<string | undefined>;
  readonly fetchFile: FetchFile;
}

/** Downloads a file URL with these headers (the bridge's fetcher, limited to Teams' file hosts). */
export type FetchFile = (url: string, headers: Record<string, string>) => Promise<Uint8Array>;

/**
 * Where Teams serves files: SharePoint/OneDrive (`downloadUrl`, commercial and US government
 * clouds) and the Bot Framework connector (pasted images on the activity's serviceUrl).
 */
export const FILE_HOSTS = ['*.sharepoint.com', '*.sharepoint.us', '*.sharepoint-mil.us', 'smba.trafficmanager.net', '*.asm.skype.com', '*.botframework.com'] as const;


const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** Which kind of event an activity is, or undefined for everything the bridge ignores. */
export function kindOf(activity: Partial<Activity>): Exclude<Inbound['kind'], 'reaction'> | undefined {
  const { eventType } = channelInfo(activity);
  if (eventType === 'undeleteMessage') return undefined;
  if (activity.type === 'messageUpdate' || eventType === 'editMessage') return 'edit';
  if (activity.type === 'messageDelete' || eventType === 'softDeleteMessage') return 'delete';
  return activity.type === 'message' ? 'post' : undefined;
}

/** Is this activity the bot's own message (or an echo of a message it posted)? */
export function isSelf(activity: Partial<Activity>, appId: string, isOwn: (id: string) => boolean): boolean {
  const from = activity.from?.id;
  if (from && (from === activity.recipient?.id || (appId && from === `28:${appId}`))) return true;
  return !!activity.id && isOwn(activity.id);
}

function mentionEntities(activity: Partial<Activity>): Entity[] {
  return (activity.entities ?? []).filter((e) => e.type === 'mention');
}

/** Names under which the bot is mentioned in this activity (`<at>Sameroom</at>` → `Sameroom`). */
export function botMentionNames(activity: Partial<Activity>): string[] {
  const botId = activity.recipient?.id;
  const names = new Set<string>();
  if (activity.recipient?.name) names.add(activity.recipient.name);
  for (const e of mentionEntities(activity)) {
    const mentioned: unknown = e.mentioned;
    const id = typeof mentioned === 'object' && mentioned !== null ? Reflect.get(mentioned, 'id') : undefined;
    if (!botId || id !== botId) continue;
    const name: unknown = typeof mentioned === 'object' && mentioned !== null ? Reflect.get(mentioned, 'name') : undefined;
    if (typeof name === 'string' && name) names.add(name);
    if (typeof e.text === 'string') names.add(e.text.replace(/<\/?at[^>]*>/gi, '').trim());
  }
  return [...names].filter(Boolean);
}

/** Does the message text start with a mention of the bot? */
function startsWithBotMention(activity: Partial<Activity>, names: readonly string[]): boolean {
  const m = /^\s*<at(?:\s[^>]*)?>([\s\S]*?)<\/at>/i.exec(activity.text ?? '');
  const name = m?.[1]?.trim().toLowerCase();
  return !!name && names.some((n) => n.toLowerCase() === name);
}


/** The message text as canonical markup, the bot's own mentions removed. */
export function messageText(activity: Partial<Activity>, dropMentions: readonly string[]): string {
  const html = (activity.attachments ?? []).find((a) => a.contentType === 'text/html' && typeof a.content === 'string');
  if (html) return teamsHtmlToCanonical(String(html.content), { dropMentions });
  const text = activity.text ?? '';
  const format = (activity.textFormat ?? '').toLowerCase();
  return format === 'xml' || format === 'html' ? teamsHtmlToCanonical(text, { dropMentions }) : teamsTextToCanonical(text, { dropMentions });
}

function author(activity: Partial<Activity>): Author {
  const from = activity.from;
  return { id: from?.aadObjectId ?? from?.id ?? 'unknown', name: from?.name?.trim() || 'Teams user' };
}

const EXT_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
  mp4: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function mimeOf(name: string, ext?: string): string {
  const e = (ext ?? name.split('.').pop() ?? '').toLowerCase();
  return EXT_MIME[e] ?? 'application/octet-stream';
}

function sameOrigin(url: string, base: string | undefined): boolean {
  try {
    return !!base && new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/** Files and images of a message, each with a fetch() that downloads it. */
export function inboundAttachments(activity: Partial<Activity>, token: () => Promise<string | undefined>, fetchFile: FetchFile): InboundAttachment[] {
  const out: InboundAttachment[] = [];
  for (const a of activity.attachments ?? []) {
    const file = fileDownload(a, fetchFile);
    if (file) out.push(file);
    else if (a.contentType.startsWith('image/') && a.contentUrl) out.push(image(a, a.contentUrl, activity.serviceUrl, token, fetchFile));
  }
  return out;
}

/** A file shared in Teams: `downloadUrl` is pre-authenticated (SharePoint); send no token there. */
function fileDownload(a: Attachment, download: FetchFile): InboundAttachment | undefined {
  if (a.contentType !== FILE_DOWNLOAD_INFO) return undefined;
  const content: unknown = a.content;
  const url: unknown = typeof content === 'object' && content !== null ? Reflect.get(content, 'downloadUrl') : undefined;
  if (typeof url !== 'string' || !url) return undefined;
  const fileType: unknown = Reflect.get(content as object, 'fileType');
  const name = a.name || `file${typeof fileType === 'string' ? `.${fileType}` : ''}`;
  return { name, mime: mimeOf(name, typeof fileType === 'string' ? fileType : undefined), fetch: () => download(url, {}) };
}

/** An image pasted into a chat: hosted by the connector, downloaded with the bot's token. */
function image(a: Attachment, url: string, serviceUrl: string | undefined, token: () => Promise<string | undefined>, download: FetchFile): InboundAttachment {
  const mime = a.contentType === 'image/*' ? 'image/png' : a.contentType;
  const name = a.name || `image.${mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'png'}`;
  return {
    name,
    mime,
    fetch: async () => {
      const bearer = sameOrigin(url, serviceUrl) ? await token() : undefined;
      return download(url, bearer ? { authorization: `Bearer ${bearer}` } : {});
    },
  };
}

/** An edit's time, to the millisecond: two edits of one message are two events. */
function stamp(t: Date | string | undefined): string {
  if (t instanceof Date) return Number.isNaN(t.getTime()) ? '' : t.toISOString();
  return t ?? '';
}

/** Normalize one activity, or undefined when the bridge ignores it (self, echoes, other events). */
export function toInbound(activity: Partial<Activity>, opts: InboundOptions): Inbound | undefined {
  const kind = kindOf(activity);
  const id = activity.id;
  if (!kind || !id || !activity.conversation?.id) return undefined;
  if (isSelf(activity, opts.appId, opts.isOwn)) return undefined;
  const { base, root } = splitConversationId(activity.conversation.id);
  const eventId = `${base}:${kind}:${id}${kind === 'edit' ? `:${stamp(activity.timestamp)}` : ''}`;
  const common = { room: opts.room, eventId, id: remoteId(id), raw: activity };
  if (kind === 'delete') return { ...common, kind };
  const names = botMentionNames(activity);
  let text = messageText(activity, names);
  const attachments = kind === 'post' ? inboundAttachments(activity, opts.token, opts.fetchFile) : [];
  if (startsWithBotMention(activity, names)) {
    const command = verbToCommand(toPlain(text), opts.commandWord, opts.verbs, attachments.length > 0);
    if (command !== undefined) text = escapeText(command);
  }
  if (kind === 'edit') return { ...common, kind, author: author(activity), text };
  const replyTo = root && root !== id ? root : activity.replyToId && activity.replyToId !== id ? activity.replyToId : undefined;
  return {
    ...common,
    kind,
    author: author(activity),
    text,
    ...(attachments.length ? { attachments } : {}),
    ...(replyTo ? { replyTo: remoteId(replyTo) } : {}),
  };
}
