/**
 * The normalized message model shared by the core and every bot.
 *
 * Bots convert their platform's events into `Inbound` values and turn `Outbound*` values back
 * into platform calls. The core never sees platform markup or platform ids beyond the opaque
 * strings below.
 */

/** A platform's short name: `web`, `discord`, `telegram`, `slack`, `groupme`, `teams`, ... */
export type Platform = string;

/**
 * Where people talk on one platform. `workspace` is the guild / team / server when the platform
 * has one; `channel` is unique within it (a channel, group, DM or thread id).
 */
export interface RoomRef {
  readonly platform: Platform;
  readonly workspace?: string;
  readonly channel: string;
}

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Canonical string form of a RoomRef: `platform:workspace:channel`, each part URI-encoded. Unique per room. */
export type RoomKey = Brand<string, 'RoomKey'>;
/** A tube's id: random, unique across the bridge. */
export type TubeId = Brand<string, 'TubeId'>;
/** A platform's id for one message, unique within its room (Discord snowflake, Slack ts, ...). */
export type RemoteMessageId = Brand<string, 'RemoteMessageId'>;
/** Id of a stored file (attachment bytes kept by the bridge), random. */
export type FileId = Brand<string, 'FileId'>;

export function roomKey(ref: RoomRef): RoomKey {
  return [ref.platform, ref.workspace ?? '', ref.channel].map(encodeURIComponent).join(':') as RoomKey;
}

export function parseRoomKey(key: string): RoomRef {
  const parts = key.split(':');
  if (parts.length !== 3 || !parts[0] || !parts[2]) throw new Error(`not a room key: ${key}`);
  const [platform, workspace, channel] = parts.map(decodeURIComponent) as [string, string, string];
  return workspace ? { platform, workspace, channel } : { platform, channel };
}

export function remoteId(id: string | number | bigint): RemoteMessageId {
  return String(id) as RemoteMessageId;
}

export interface Author {
  /** Platform user id (stable within the platform). */
  readonly id: string;
  /** Display name as people see it. */
  readonly name: string;
  readonly avatarUrl?: string;
}

/** An attachment as a bot reports it on the way in: bytes now, or a way to get them. */
export interface InboundAttachment {
  readonly name: string;
  readonly mime: string;
  readonly size?: number;
  readonly data?: Uint8Array;
  /** Downloads the bytes (with the bot's own credentials). Called once by the core. */
  readonly fetch?: () => Promise<Uint8Array>;
  /** Already stored by the bridge (a built-in platform's upload): relayed as it is, not stored again. */
  readonly stored?: StoredFile;
}

/** An attachment as the core hands it to bots on the way out: stored by the bridge. */
export interface StoredFile {
  readonly id: FileId;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** Public link to the bytes, under PUBLIC_URL/files/. */
  readonly url: string;
}

interface InboundBase {
  readonly room: RoomRef;
  /** The platform's id for this event, used to drop redeliveries. Unique per platform. */
  readonly eventId: string;
  /** The message this event is about. */
  readonly id: RemoteMessageId;
  /** The platform payload, for logging and debugging only. */
  readonly raw?: unknown;
}

export interface InboundPost extends InboundBase {
  readonly kind: 'post';
  readonly author: Author;
  /** Where the platform sees people connect from (the web: the client address), for per-address limits. */
  readonly clientAddress?: string;
  /** Text in canonical markup (see src/markup.ts). */
  readonly text: string;
  readonly attachments?: readonly InboundAttachment[];
  /** The message this one replies to, in the same room. */
  readonly replyTo?: RemoteMessageId;
  /** A `/me` style action. */
  readonly action?: boolean;
}

export interface InboundEdit extends InboundBase {
  readonly kind: 'edit';
  readonly author?: Author;
  readonly text: string;
}

export interface InboundDelete extends InboundBase {
  readonly kind: 'delete';
}

/**
 * One person added or removed an emoji reaction on a message (`id`). `eventId` must be unique per
 * add/remove event (the platform's event id, or message + user + emoji + a time or counter), so a
 * redelivery is dropped but a later re-add is not. Bots drop their own reactions (the bridge's).
 */
export interface InboundReaction extends InboundBase {
  readonly kind: 'reaction';
  readonly author: Author;
  /** The emoji as Unicode (`👍`, see src/emoji.ts), or `:name:` for a custom emoji without one. */
  readonly emoji: string;
  /** true: added; false: removed. */
  readonly added: boolean;
}

export type Inbound = InboundPost | InboundEdit | InboundDelete | InboundReaction;

/** A copy to post in a target room. */
export interface OutboundPost {
  readonly room: RoomRef;
  readonly author: Author;
  /** Canonical markup, already defused and fitted to the target's limit; includes the author prefix when the target cannot impersonate. */
  readonly text: string;
  readonly attachments: readonly StoredFile[];
  /** The copy, in this target room, of the message being replied to. */
  readonly replyTo?: RemoteMessageId;
  /** The origin room's key: a bot may use it to tell copies apart (e.g. Discord nonce). */
  readonly origin: RoomKey;
  /** Stable id of this delivery, for platforms with idempotency keys. */
  readonly idempotencyKey: string;
  /**
   * An earlier attempt of this very post may have reached the platform (a retry after a failure,
   * or a job taken over after a crash). A bot without idempotency keys may look for that copy
   * before posting again.
   */
  readonly mayExist?: boolean;
}

export interface OutboundEdit {
  readonly room: RoomRef;
  readonly id: RemoteMessageId;
  readonly author: Author;
  readonly text: string;
}

export interface OutboundDelete {
  readonly room: RoomRef;
  readonly id: RemoteMessageId;
}

/**
 * The bridge's own reaction on a copy (or original) in a target room: present while somebody in
 * another room of the same room holds `emoji` on the message, removed when nobody does. A bot
 * reacts once per emoji, so the target shows the set of emoji.
 */
export interface OutboundReaction {
  readonly room: RoomRef;
  /** The message in this room (a copy, or the original when the reaction came from a copy). */
  readonly id: RemoteMessageId;
  /** Unicode emoji or `:name:` (already mapped by the bot's `reactionEmoji` where it has one). */
  readonly emoji: string;
  /** true: add the bot's reaction; false: remove it. */
  readonly add: boolean;
}

/** What a platform can do, declared as data. The core splits, prefixes and degrades by it. */
export interface Capabilities {
  /** Longest text a single message may carry, in characters. */
  readonly maxTextLength: number;
  /** Largest file the bot can upload, in bytes; bigger files are sent as links. 0: files as links only. */
  readonly maxFileBytes: number;
  /** The bot can post under another name and avatar (no author prefix needed). */
  readonly impersonate: boolean;
  /** Replies are shown as replies (otherwise the core quotes the original). */
  readonly replies: boolean;
}
