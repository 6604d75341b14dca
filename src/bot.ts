/**
 * The one contract every platform implements (bots/<platform>/).
 *
 * Required: platform, capabilities, start, stop, send, say. Edits, deletes and room names are
 * optional interfaces, checked at run time with the guards below.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Download } from './download.js';
import type {
  Capabilities,
  Inbound,
  OutboundDelete,
  OutboundEdit,
  OutboundPost,
  OutboundReaction,
  Platform,
  RemoteMessageId,
  RoomRef,
} from './model.js';

/** Small persistent key/value space of one bot (offsets, webhook ids, conversation references). */
export interface BotState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
}

/**
 * Raw platform events kept in the store until the core has accepted them: a bot that answers its
 * platform before ingesting (no redelivery) puts the event here first, so a process that dies
 * before the core took it replays it at the next start (src/ordered-ingest.ts states the policy).
 */
export interface Inbox {
  /** Keep `raw` under `id` (the platform's message id). Resolves once stored. */
  put(id: string, raw: string): Promise<void>;
  /** The core accepted it. */
  done(id: string): Promise<void>;
  /** Everything kept and not done, oldest first where the store knows. */
  pending(): Promise<Array<{ readonly id: string; readonly raw: string }>>;
}

/** What the core gives a bot when it starts. */
export interface BotContext {
  /** Hand one normalized event to the core. Resolves when the core has accepted it (deduplicated, queued). */
  ingest(event: Inbound): Promise<void>;
  /**
   * For a bot that has already answered its platform (no redelivery): hand the event over in
   * order per room; the core retries it until accepted (src/ordered-ingest.ts). Resolves when
   * accepted (true) or when the bridge stopped first (false); never rejects.
   */
  ingestInOrder(event: Inbound): Promise<boolean>;
  /** This bot's durable inbox (see Inbox). */
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly state: BotState;
  /** The one HTTP server, for webhooks. Register routes during start(). */
  readonly http: FastifyInstance;
  /** Base of every public link (no trailing slash). */
  readonly publicUrl: string;
  /** The command word (`sameroom`). */
  readonly commandWord: string;
  /** Every command verb and alias (for platforms that send bare verbs: `@Bot open`). */
  readonly verbs: readonly string[];
  /** Whether this process may hold the platform's single inbound connection (see leases). */
  readonly leaseHeld?: () => boolean;
  /** Read a stored file's bytes (for re-uploading attachments). */
  readFile(id: string): Promise<Uint8Array | null>;
  /**
   * Download a file a platform points at (src/download.ts): every bot's downloads go through
   * this, naming its platform's file hosts and the hosts the operator configured for it.
   */
  readonly download: Download;
}

export interface Bot {
  readonly platform: Platform;
  readonly capabilities: Capabilities;
  /**
   * Where a room differs from the platform's capabilities (a DM without webhooks, a thread):
   * the core asks per room and falls back to `capabilities`.
   */
  capabilitiesFor?(room: RoomRef): Capabilities;
  /**
   * Copies go out over the bot's one connection (IRC, XMPP), which only the process holding the
   * platform's lease has: on Redis, only that process delivers to the platform.
   */
  readonly connectionBound?: boolean;
  start(ctx: BotContext): Promise<void>;
  stop(): Promise<void>;
  /** Post a copy; returns the ids of the message(s) it made, first one first. Throws DeliveryError on failure. */
  send(post: OutboundPost): Promise<RemoteMessageId[]>;
  /** Post as the bot itself (command answers, notices). These are never relayed. */
  say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]>;
}

export interface EditingBot extends Bot {
  edit(edit: OutboundEdit): Promise<void>;
}

export interface DeletingBot extends Bot {
  delete(del: OutboundDelete): Promise<void>;
}

/**
 * A bot whose platform lets it react to messages (Discord, Slack, Telegram, Matrix, Mattermost,
 * Rocket.Chat, the web chat). Targets whose bot cannot react get nothing, or a short notice when
 * the room asks for it (the core's choice, not the bot's).
 */
export interface ReactingBot extends Bot {
  /**
   * Add or remove the bot's own reaction. Idempotent: adding an emoji the bot already shows there,
   * or removing one it does not, succeeds. Throws DeliveryError like `send`.
   */
  react(reaction: OutboundReaction): Promise<void>;
  /**
   * The emoji this bot uses in `room` for `emoji`: itself, the nearest one the platform allows
   * (Telegram's fixed set), or undefined to skip it. Without this method every emoji is used as is.
   */
  reactionEmoji?(emoji: string, room: RoomRef): string | undefined;
}

/** A bot that can tell a room's human name (`#general on Acme`). */
export interface NamingBot extends Bot {
  roomName(room: RoomRef): Promise<string>;
}

/**
 * A bot whose rooms can belong to a workspace that the platform's own admins control (Slack team,
 * Discord guild, Teams tenant, Mattermost team, Rocket.Chat server): that workspace is the room's
 * tenant (its security log). Other rooms (and every room of a bot without it) are their own tenant.
 */
export interface WorkspaceBot extends Bot {
  /** The room's admin-controlled workspace, or undefined when the room is its own tenant (a DM). */
  tenantWorkspace(room: RoomRef): string | undefined;
}

/** A bot that can tell who administers a room (the platform's own notion, looked up by the bot). */
export interface AdminAware extends Bot {
  /**
   * Does `userId` administer `room`? true / false, or undefined when the platform has no such
   * notion there. In a DM with the bot, true. Throws when the lookup failed (the command is then
   * refused with a retry answer, never let through).
   */
  isAdmin(room: RoomRef, userId: string): Promise<boolean | undefined>;
  /** Who administers a room here, for refusals: `the group's creator and administrators`. */
  readonly adminsAre: string;
}

/** A bot that can show one person something nobody else in the room sees. */
export interface PrivateReplier extends Bot {
  /**
   * Show `text` to `userId` only (an ephemeral message, a DM, the person's own browser). False
   * when it cannot (the person never opened a DM with the bot, ...): nothing was shown.
   */
  sayPrivately(room: RoomRef, userId: string, text: string): Promise<boolean>;
  /** Where the private answer went, as the public answer says it: `in a direct message`. */
  readonly privately: string;
}

/** Whether `bot` has the method that marks optional interface T (a type guard's one check). */
function implements_<T extends Bot>(bot: Bot, method: keyof T & string): bot is T {
  return typeof (bot as unknown as Record<string, unknown>)[method] === 'function';
}

export function hasWorkspaces(bot: Bot): bot is WorkspaceBot {
  return implements_<WorkspaceBot>(bot, 'tenantWorkspace');
}

export function knowsAdmins(bot: Bot): bot is AdminAware {
  return implements_<AdminAware>(bot, 'isAdmin');
}

export function canSayPrivately(bot: Bot): bot is PrivateReplier {
  return implements_<PrivateReplier>(bot, 'sayPrivately');
}

export function canEdit(bot: Bot): bot is EditingBot {
  return implements_<EditingBot>(bot, 'edit');
}

export function canDelete(bot: Bot): bot is DeletingBot {
  return implements_<DeletingBot>(bot, 'delete');
}

export function canReact(bot: Bot): bot is ReactingBot {
  return implements_<ReactingBot>(bot, 'react');
}

export function canName(bot: Bot): bot is NamingBot {
  return implements_<NamingBot>(bot, 'roomName');
}

/** What `bot` can do in `room`: its per-room answer where it gives one. */
export function capabilitiesIn(bot: Bot, room: RoomRef): Capabilities {
  return bot.capabilitiesFor?.(room) ?? bot.capabilities;
}

// --- Connection state (optional) -------------------------------------------------------------
// A bot that holds a connection to its platform (socket, long poll) says whether it is
// connected; `/readyz` and `sameroom_platform_up` report it. Bots without it count as up once
// started.

/** `down` carries a short reason an operator can act on (no secrets, no URLs with tokens). */
export type ConnectionState = { readonly up: true } | { readonly up: false; readonly reason: string };

export interface ReportingBot extends Bot {
  connection(): ConnectionState;
}

export function reportsConnection(bot: Bot): bot is ReportingBot {
  return implements_<ReportingBot>(bot, 'connection');
}
