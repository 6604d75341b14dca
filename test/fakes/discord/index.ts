/**
 * A local fake of Discord (REST API under /api/v10 + gateway WebSocket) that the real discord.js
 * client talks to unmodified. Start it, point `DISCORD_API_URL` at `fake.apiUrl`, then drive it
 * with the test controls (`userSays`, `slash`, `failNext`, `denyWebhooks`, `holdResponse`, `dropGateway`, ...).
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  ChannelType,
  GatewayDispatchEvents,
  MessageType,
  WebhookType,
  type APIApplicationCommand,
  type APIGuildMemberNoUser,
  type APIMessage,
  type APIUser,
  type APIUserWithMember,
} from 'discord-api-types/v10';
import { FakeGateway, messageVisibility } from './gateway.js';
import { slashInteraction } from './interaction.js';
import { registerMessageRoutes } from './rest-messages.js';
import { registerOtherRoutes } from './rest-other.js';
import { snowflake } from './snowflake.js';
import { guildIdOf, World, type FakeChannel, type FakeGuild, type FakeWebhook, type Posted, type UploadedFile } from './world.js';

export type { Posted, UploadedFile } from './world.js';

export interface FailOptions {
  readonly status: number;
  /** Seconds, for 429s (body `retry_after`; the Retry-After header is rounded up). */
  readonly retryAfter?: number;
  readonly global?: boolean;
  readonly times?: number;
}

interface Failure extends FailOptions {
  readonly route: string;
  left: number;
}

export interface Interaction {
  readonly id: string;
  readonly token: string;
  readonly channelId: string;
  responses: unknown[];
}

export class FakeDiscord {
  readonly world: World;
  readonly gateway: FakeGateway;
  readonly bot: APIUser;
  readonly alice: APIUser;
  readonly bob: APIUser;
  readonly guild: FakeGuild;
  readonly general: FakeChannel;
  readonly random: FakeChannel;
  readonly applicationId = snowflake();
  /** Requests seen under /api/v10, as `METHOD /path` (no query). */
  readonly requests: string[] = [];
  readonly interactions = new Map<string, Interaction>();
  commands: APIApplicationCommand[] = [];
  readonly failures: Failure[] = [];
  readonly deniedWebhooks = new Set<string>();
  /** Enforced-nonce bot posts answered with the message an earlier request already created. */
  nonceReplays = 0;
  private readonly holds: { readonly match: (m: APIMessage) => boolean; readonly resolve: (m: APIMessage) => void }[] = [];
  private readonly held: (() => void)[] = [];
  private base = '';

  private constructor(
    readonly app: FastifyInstance,
    readonly token: string,
    readonly maxFileBytes: number,
  ) {
    this.world = new World('');
    this.bot = this.world.addUser('Sameroom', { bot: true });
    this.alice = this.world.addUser('alice', { globalName: 'Alice Liddell', avatar: 'a1b2c3' });
    this.bob = this.world.addUser('bob');
    this.guild = this.world.addGuild('Acme', this.alice);
    for (const u of [this.bot, this.alice, this.bob]) this.world.addMember(this.guild.id, u);
    this.general = this.world.addChannel(this.guild.id, 'general');
    this.random = this.world.addChannel(this.guild.id, 'random');
    this.gateway = new FakeGateway({
      world: this.world,
      token,
      bot: this.bot,
      applicationId: this.applicationId,
      url: () => `${this.base.replace(/^http/, 'ws')}/gateway`,
    });
  }

  static async start(opts: { token?: string; maxFileBytes?: number } = {}): Promise<FakeDiscord> {
    const maxFileBytes = opts.maxFileBytes ?? 10 * 1024 * 1024;
    const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
    const fake = new FakeDiscord(app, opts.token ?? 'fake-bot-token.abc', maxFileBytes);
    await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 10 } });
    registerOtherRoutes(app, fake);
    registerMessageRoutes(app, fake);
    app.server.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/gateway')) fake.gateway.upgrade(req, socket, head);
      else socket.destroy();
    });
    fake.base = await app.listen({ port: 0, host: '127.0.0.1' });
    fake.world.baseUrl = fake.base;
    return fake;
  }

  get url(): string {
    return this.base;
  }

  /** What a bot sets as DISCORD_API_URL. */
  get apiUrl(): string {
    return `${this.base}/api`;
  }

  async close(): Promise<void> {
    for (const release of this.held.splice(0)) release();
    this.gateway.close();
    await this.app.close();
  }

  // ---- test controls -------------------------------------------------------------------------

  addUser(username: string, opts: { globalName?: string; nick?: string } = {}): APIUser {
    const u = this.world.addUser(username, opts);
    this.world.addMember(this.guild.id, u, opts.nick ?? null);
    return u;
  }

  /** A new thread in a text channel (dispatches THREAD_CREATE like Discord). */
  addThread(parentId: string, name: string): FakeChannel {
    const thread = this.world.addThread(parentId, name);
    const c = this.world.apiChannel(thread);
    if (c.type === ChannelType.PublicThread) {
      this.gateway.broadcast(() => ({ t: GatewayDispatchEvents.ThreadCreate, d: { ...c, newly_created: true } }));
    }
    return thread;
  }

  /** A user posts in a channel (dispatches MESSAGE_CREATE). */
  userSays(
    channelId: string,
    content: string,
    opts: { author?: APIUser; attachments?: { name: string; data: Uint8Array; contentType?: string }[]; reply?: string; type?: MessageType } = {},
  ): APIMessage {
    const files: UploadedFile[] = (opts.attachments ?? []).map((a) => ({
      name: a.name,
      contentType: a.contentType ?? 'application/octet-stream',
      data: Buffer.from(a.data),
    }));
    const reference = opts.reply ? this.world.findMessage(channelId, opts.reply) : undefined;
    if (opts.reply && !reference) throw new Error(`fake discord: no message ${opts.reply} to reply to`);
    const message = this.world.createMessage(channelId, { author: opts.author ?? this.alice, content, files, reference, ...(opts.type !== undefined ? { type: opts.type } : {}) });
    this.record({ via: 'user', message, pings: [], files });
    this.dispatchMessage(GatewayDispatchEvents.MessageCreate, message);
    return message;
  }

  /** Someone else's webhook (an integration) posts in a channel. */
  foreignWebhookSays(channelId: string, content: string, username = 'GitHub'): APIMessage {
    const channel = this.world.channel(channelId);
    const hook: FakeWebhook = {
      id: snowflake(),
      type: WebhookType.Incoming,
      channel_id: channelId,
      ...guildIdOf(channel),
      name: username,
      avatar: null,
      token: `foreign-${snowflake()}`,
      application_id: null,
      user: this.alice,
    };
    this.world.webhooks.set(hook.id, hook);
    const author: APIUser = { id: hook.id, username, discriminator: '0000', avatar: null, global_name: null, bot: true };
    const message = this.world.createMessage(channelId, { author, content, webhookId: hook.id });
    this.record({ via: 'webhook', message, username, pings: [], files: [] });
    this.dispatchMessage(GatewayDispatchEvents.MessageCreate, message);
    return message;
  }

  userEdits(channelId: string, id: string, content: string): APIMessage {
    const m = this.world.findMessage(channelId, id);
    if (!m) throw new Error(`fake discord: no message ${id}`);
    m.content = content;
    m.edited_timestamp = new Date().toISOString();
    this.dispatchMessage(GatewayDispatchEvents.MessageUpdate, m);
    return m;
  }

  userDeletes(channelId: string, id: string): void {
    this.removeMessage(channelId, id);
  }

  bulkDelete(channelId: string, ids: string[]): void {
    const list = this.world.messages.get(channelId) ?? [];
    this.world.messages.set(channelId, list.filter((m) => !ids.includes(m.id)));
    const guild_id = this.world.channel(channelId).guild_id;
    this.gateway.broadcast(() => ({ t: GatewayDispatchEvents.MessageDeleteBulk, d: { ids, channel_id: channelId, ...(guild_id ? { guild_id } : {}) } }));
  }

  /** A user runs `/<command> args:<args>` in a channel (dispatches INTERACTION_CREATE). Returns the interaction id. */
  slash(channelId: string, args?: string, user: APIUser = this.alice): string {
    const command = this.commands[0];
    if (!command) throw new Error('fake discord: no application command registered');
    const channel = this.world.channel(channelId);
    const member = channel.guild_id ? this.memberNoUser(channel.guild_id, user.id) : undefined;
    const interaction = slashInteraction({ appId: this.applicationId, command, channel, user, member, args, maxFileBytes: this.maxFileBytes });
    this.interactions.set(interaction.id, { id: interaction.id, token: interaction.token, channelId, responses: [] });
    this.gateway.broadcast(() => ({ t: GatewayDispatchEvents.InteractionCreate, d: interaction }));
    return interaction.id;
  }

  /** The next `times` requests whose `METHOD /path` (under /api/v10) starts with `route` fail. */
  failNext(route: string, opts: FailOptions): void {
    this.failures.push({ ...opts, route, left: opts.times ?? 1 });
  }

  /** Webhook listing/creation in this channel (or every channel) answers 403 Missing Permissions. */
  denyWebhooks(channelId = '*'): void {
    this.deniedWebhooks.add(channelId);
  }

  allowWebhooks(): void {
    this.deniedWebhooks.clear();
  }

  /**
   * The next post through the API (POST /channels/:id/messages as the bot, or a webhook execution)
   * that `match` accepts is created, stored and dispatched like any other, but its HTTP request is
   * never answered (until `close`): Discord committed the message, the client never learns its id,
   * as when a process dies mid-request. Resolves with the held message once it exists.
   */
  holdResponse(match: (message: APIMessage) => boolean): Promise<APIMessage> {
    return new Promise((resolve) => this.holds.push({ match, resolve }));
  }

  /** Close the gateway sockets server-side; the client should RESUME. */
  dropGateway(code?: number): void {
    this.gateway.drop(code);
  }

  /** Everything posted in a channel through the API or by test users, in order. */
  posted(channelId?: string): Posted[] {
    return this.world.posted.filter((p) => !channelId || p.message.channel_id === channelId);
  }

  // ---- used by the routes --------------------------------------------------------------------

  record(p: Posted): void {
    this.world.posted.push(p);
  }

  removeMessage(channelId: string, id: string): void {
    const list = this.world.messages.get(channelId) ?? [];
    this.world.messages.set(channelId, list.filter((m) => m.id !== id));
    const guild_id = this.world.channel(channelId).guild_id;
    this.gateway.broadcast(() => ({ t: GatewayDispatchEvents.MessageDelete, d: { id, channel_id: channelId, ...(guild_id ? { guild_id } : {}) } }));
  }

  dispatchMessage(t: GatewayDispatchEvents.MessageCreate | GatewayDispatchEvents.MessageUpdate, message: APIMessage): void {
    const guildId = this.world.channel(message.channel_id).guild_id;
    const member = guildId && !message.webhook_id ? this.memberNoUser(guildId, message.author.id) : undefined;
    const mentions: APIUserWithMember[] = message.mentions.map((u) => {
      const m = guildId ? this.memberNoUser(guildId, u.id) : undefined;
      return m ? { ...u, member: m } : u;
    });
    const forBot = message.author.id === this.bot.id || message.mentions.some((u) => u.id === this.bot.id);
    this.gateway.broadcast((intents) => {
      const vis = messageVisibility(intents, guildId !== undefined, forBot);
      if (vis === 'none') return null;
      const d = {
        ...message,
        mentions,
        ...(guildId ? { guild_id: guildId } : {}),
        ...(member ? { member } : {}),
        ...(vis === 'empty' ? { content: '', attachments: [], embeds: [] } : {}),
      };
      // Two branches so TypeScript pairs each event name with its payload type.
      return t === GatewayDispatchEvents.MessageCreate ? { t, d } : { t, d };
    });
  }

  memberNoUser(guildId: string, userId: string): APIGuildMemberNoUser | undefined {
    const m = this.world.guild(guildId).members.get(userId);
    if (!m) return undefined;
    const flags: number = 0;
    return { nick: m.nick, avatar: m.avatar, banner: null, roles: m.roles, joined_at: m.joined_at, deaf: false, mute: false, flags };
  }

  /** For the post routes: a promise that never settles (until `close`) when this new message is to be held. */
  holdFor(message: APIMessage): Promise<void> | undefined {
    const i = this.holds.findIndex((h) => h.match(message));
    if (i < 0) return undefined;
    const [hold] = this.holds.splice(i, 1);
    hold?.resolve(message);
    return new Promise((resolve) => this.held.push(resolve));
  }

  takeFailure(method: string, path: string): Failure | undefined {
    const key = `${method} ${path}`;
    const f = this.failures.find((x) => x.left > 0 && key.startsWith(x.route));
    if (f) f.left--;
    return f;
  }
}
