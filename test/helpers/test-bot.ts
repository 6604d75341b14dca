/**
 * The core's test platform: an in-memory bot with declared capabilities. Tests make people
 * talk with `says`/`edits`/`deletes` and read each room's visible history with `room()`.
 */
import { capabilitiesIn, type AdminAware, type Bot, type BotContext, type DeletingBot, type EditingBot, type NamingBot, type PrivateReplier, type WorkspaceBot } from '../../src/bot.js';
import { rateLimited } from '../../src/errors.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import { toPlain } from '../../src/markup.js';

export interface Shown {
  readonly id: RemoteMessageId;
  /** who the platform shows as author: the bot, or the impersonated name */
  readonly as: string;
  text: string;
  readonly files: readonly StoredFile[];
  readonly replyTo?: RemoteMessageId;
  deleted?: boolean;
}

const DEFAULT_CAPS: Capabilities = { maxTextLength: 1000, maxFileBytes: 1024 * 1024, impersonate: false, replies: true };

export class TestBot implements Bot, EditingBot, DeletingBot, NamingBot, AdminAware, PrivateReplier, WorkspaceBot {
  readonly capabilities: Capabilities;
  ctx: BotContext | undefined;
  private readonly rooms = new Map<string, Shown[]>();
  private next = 1;
  private eventSeq = 1;
  /** Fail the next n sends with a 429 asking to wait `retryAfterMs`. */
  failures: Array<{ retryAfterMs: number } | Error> = [];
  /** Fail the next n answers (`say`) with a 429 asking to wait `retryAfterMs`. */
  sayFailures: Array<{ retryAfterMs: number }> = [];
  /** Every answer the platform refused or took, in order (`text`, and whether it was refused). */
  readonly sayLog: Array<{ text: string; refused: boolean; replyTo?: RemoteMessageId }> = [];
  readonly sendLog: OutboundPost[] = [];
  /** Who administers each room (user ids, lower-cased names); unset: this platform cannot tell. */
  admins: Map<string, Set<string>> | undefined;
  /** Admin lookups fail (the platform is down) while set. */
  adminLookupFails = false;
  readonly adminsAre = 'the test room’s admins';
  readonly privately = 'in a direct message';
  /** What each person was shown privately: `channel/userId` → texts. */
  readonly privateLog = new Map<string, string[]>();

  constructor(
    readonly platform: string,
    caps: Partial<Capabilities> = {},
    /** made part of every message and event id: two instances of one platform (two processes) never collide */
    private readonly space = '',
    /** every room of this bot is in this admin-controlled workspace (a Slack team, a Discord guild) */
    readonly workspace?: string,
  ) {
    this.capabilities = { ...DEFAULT_CAPS, ...caps };
  }

  async start(ctx: BotContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ctx = undefined;
  }

  ref(channel: string): RoomRef {
    return this.workspace ? { platform: this.platform, workspace: this.workspace, channel } : { platform: this.platform, channel };
  }

  tenantWorkspace(room: RoomRef): string | undefined {
    return room.workspace;
  }

  /** What people in `channel` see, oldest first, deleted messages left out. */
  room(channel: string): Shown[] {
    return (this.rooms.get(channel) ?? []).filter((m) => !m.deleted);
  }

  /** Plain lines `as: text` of what people in `channel` see. */
  lines(channel: string): string[] {
    return this.room(channel).map((m) => `${m.as}: ${toPlain(m.text)}`);
  }

  private add(channel: string, m: Omit<Shown, 'id'>): RemoteMessageId {
    const id = `${this.platform}-${this.space}${this.next++}` as RemoteMessageId;
    const list = this.rooms.get(channel) ?? [];
    list.push({ ...m, id });
    this.rooms.set(channel, list);
    return id;
  }

  private find(channel: string, id: string): Shown {
    const m = this.rooms.get(channel)?.find((x) => x.id === id);
    if (!m) throw new Error(`no message ${id} in ${channel}`);
    return m;
  }

  /** A person posts in `channel`; resolves when the bridge accepted it. Returns the message id. */
  async says(channel: string, who: string, text: string, opts: { replyTo?: RemoteMessageId; eventId?: string; files?: Array<{ name: string; mime: string; data: Uint8Array }> } = {}): Promise<RemoteMessageId> {
    const id = this.add(channel, { as: who, text, files: [], ...(opts.replyTo ? { replyTo: opts.replyTo } : {}) });
    await this.ingest({
      kind: 'post',
      room: this.ref(channel),
      eventId: opts.eventId ?? `e${this.space}${this.eventSeq++}`,
      id,
      author: { id: who.toLowerCase(), name: who },
      text,
      ...(opts.files ? { attachments: opts.files } : {}),
      ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    });
    return id;
  }

  async edits(channel: string, id: RemoteMessageId, text: string): Promise<void> {
    const m = this.find(channel, id);
    m.text = text;
    await this.ingest({ kind: 'edit', room: this.ref(channel), eventId: `e${this.space}${this.eventSeq++}`, id, author: { id: m.as.toLowerCase(), name: m.as }, text });
  }

  async deletes(channel: string, id: RemoteMessageId): Promise<void> {
    this.find(channel, id).deleted = true;
    await this.ingest({ kind: 'delete', room: this.ref(channel), eventId: `e${this.space}${this.eventSeq++}`, id });
  }

  /** Deliver a raw event (redeliveries, crafted events). */
  async ingest(ev: Parameters<BotContext['ingest']>[0]): Promise<void> {
    if (!this.ctx) throw new Error(`${this.platform} bot is not started`);
    await this.ctx.ingest(ev);
  }

  private fail(): void {
    const f = this.failures.shift();
    if (f instanceof Error) throw f;
    if (f) throw rateLimited('slow down', f.retryAfterMs);
  }

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    this.fail();
    this.sendLog.push(post);
    const as = capabilitiesIn(this, post.room).impersonate ? post.author.name : 'bridge-bot';
    return [this.add(post.room.channel, { as, text: post.text, files: post.attachments, ...(post.replyTo ? { replyTo: post.replyTo } : {}) })];
  }

  async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    const f = this.sayFailures.shift();
    this.sayLog.push({ text, refused: f !== undefined, ...(replyTo ? { replyTo } : {}) });
    if (f) throw rateLimited('slow down', f.retryAfterMs);
    return [this.add(room.channel, { as: 'bridge-bot', text, files: [], ...(replyTo ? { replyTo } : {}) })];
  }

  async edit(e: OutboundEdit): Promise<void> {
    this.fail();
    this.find(e.room.channel, e.id).text = e.text;
  }

  async delete(d: OutboundDelete): Promise<void> {
    this.fail();
    this.find(d.room.channel, d.id).deleted = true;
  }

  async isAdmin(room: RoomRef, userId: string): Promise<boolean | undefined> {
    if (this.adminLookupFails) throw new Error('admin lookup failed');
    return this.admins ? (this.admins.get(room.channel)?.has(userId) ?? false) : undefined;
  }

  async sayPrivately(room: RoomRef, userId: string, text: string): Promise<boolean> {
    const key = `${room.channel}/${userId}`;
    this.privateLog.set(key, [...(this.privateLog.get(key) ?? []), text]);
    return true;
  }

  /** The last thing `who` (a name, as `says` takes it) was shown privately in `channel`. */
  lastPrivate(channel: string, who: string): string {
    return this.privateLog.get(`${channel}/${who.toLowerCase()}`)?.at(-1) ?? '';
  }

  async roomName(room: RoomRef): Promise<string> {
    return `#${room.channel}`;
  }
}
