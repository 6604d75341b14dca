/**
 * The GroupMe API shapes this bot uses (https://dev.groupme.com/docs/v3, image service docs,
 * bot tutorial), and narrowing of the unsigned callback payload from `unknown`.
 */

/** Every user-API reply is wrapped: `{response, meta: {code, errors}}`. */
export interface Envelope<T> {
  readonly response: T | null;
  readonly meta: { readonly code: number; readonly errors?: readonly string[] | null };
}

/** One entry of `GET /groups` (only the fields we read; members omitted with `omit=memberships`). */
export interface GroupInfo {
  readonly id: string;
  readonly name: string;
}

/** A bot as `GET /bots` lists it and `POST /bots` returns it. `bot_id` is a secret. */
export interface BotInfo {
  readonly bot_id: string;
  readonly group_id: string;
  readonly name: string;
  readonly avatar_url?: string | null;
  readonly callback_url?: string | null;
  readonly dm_notification?: boolean;
}

/** `POST /bots` body. */
export interface CreateBotRequest {
  readonly bot: {
    readonly name: string;
    readonly group_id: string;
    readonly callback_url: string;
    readonly avatar_url?: string;
    readonly dm_notification?: boolean;
  };
}

/** Attachments we send with `POST /bots/post`. */
export type OutboundAttachment =
  | { readonly type: 'image'; readonly url: string }
  | { readonly type: 'reply'; readonly reply_id: string; readonly base_reply_id: string };

/** `POST /bots/post` body (→ 202, no body, so no message id). */
export interface BotPostRequest {
  readonly bot_id: string;
  readonly text: string;
  readonly attachments?: readonly OutboundAttachment[];
}

/** `POST {image}/pictures` reply. */
export interface PictureResponse {
  readonly payload: { readonly url: string; readonly picture_url?: string };
}

/** An attachment as GroupMe reports it: a `type` and fields that depend on it. */
export interface RawAttachment {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** What GroupMe POSTs to a bot's callback_url for every message in its group. */
export interface CallbackMessage {
  readonly id: string;
  readonly group_id: string;
  readonly sender_id: string;
  /** `user`, `bot` (any bot, this one's own posts included) or `system`. */
  readonly sender_type: string;
  readonly user_id?: string;
  readonly name: string;
  readonly avatar_url?: string | null;
  readonly text: string;
  readonly attachments: readonly RawAttachment[];
  readonly created_at?: number | string;
  readonly source_guid?: string;
  readonly system?: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An id GroupMe may send as a number or a string. */
function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Narrow a callback body; `undefined` when it is not a GroupMe message. */
export function parseCallback(body: unknown): CallbackMessage | undefined {
  if (!isRecord(body)) return undefined;
  const id = idOf(body.id);
  const groupId = idOf(body.group_id);
  if (!id || !groupId) return undefined;
  const attachments = Array.isArray(body.attachments)
    ? body.attachments.filter((a): a is RawAttachment => isRecord(a) && typeof a.type === 'string')
    : [];
  const createdAt = body.created_at;
  return {
    id,
    group_id: groupId,
    sender_id: idOf(body.sender_id) ?? idOf(body.user_id) ?? '',
    sender_type: typeof body.sender_type === 'string' ? body.sender_type : body.system === true ? 'system' : 'user',
    user_id: idOf(body.user_id),
    name: typeof body.name === 'string' ? body.name : '',
    avatar_url: typeof body.avatar_url === 'string' ? body.avatar_url : null,
    text: typeof body.text === 'string' ? body.text : '',
    attachments,
    created_at: typeof createdAt === 'number' || typeof createdAt === 'string' ? createdAt : undefined,
    source_guid: typeof body.source_guid === 'string' ? body.source_guid : undefined,
    system: body.system === true,
  };
}

/** Narrow one `GET /bots` / `POST /bots` entry. */
export function parseBot(v: unknown): BotInfo | undefined {
  if (!isRecord(v)) return undefined;
  const botId = idOf(v.bot_id);
  const groupId = idOf(v.group_id);
  if (!botId || !groupId) return undefined;
  return {
    bot_id: botId,
    group_id: groupId,
    name: typeof v.name === 'string' ? v.name : '',
    avatar_url: typeof v.avatar_url === 'string' ? v.avatar_url : null,
    callback_url: typeof v.callback_url === 'string' ? v.callback_url : null,
    dm_notification: v.dm_notification === true,
  };
}

export function parseGroup(v: unknown): GroupInfo | undefined {
  if (!isRecord(v)) return undefined;
  const id = idOf(v.id);
  return id ? { id, name: typeof v.name === 'string' ? v.name : id } : undefined;
}

/** Read a string (or numeric id) field of an attachment. */
export function field(a: RawAttachment, name: string): string | undefined {
  return idOf(a[name]);
}

export { isRecord };
