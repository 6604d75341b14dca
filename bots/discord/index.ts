/**
 * The Discord bot: discord.js 14 for the gateway, its REST client for everything else.
 * Room: platform 'discord', workspace = guild id (absent for DMs), channel = channel or thread id.
 */
import type { REST } from 'discord.js';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  Routes,
  type APIChannel,
  type APIInteraction,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GatewayGuildRoleModifyDispatchData,
  type GatewayMessageCreateDispatchData,
  type GatewayMessageDeleteBulkDispatchData,
  type GatewayMessageDeleteDispatchData,
  type GatewayMessageUpdateDispatchData,
  type GatewayReadyDispatchData,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { AdminAware, BotContext, ConnectionState, DeletingBot, EditingBot, NamingBot, ReportingBot, WorkspaceBot } from '../../src/bot.js';
import { DISCORD_ADMINS_ARE, isDiscordAdmin } from './admins.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { catchUp, LastSeen } from './catchup.js';
import { Directory } from './directory.js';
import { Gateway } from './gateway.js';
import { InboundHandler, PLATFORM, RecentIds } from './inbound.js';
import { MAX_FILE_BYTES, MAX_TEXT, Outbound } from './outbound.js';
import { attachmentDownloader, call, createRest, DEFAULT_API_URL, toDeliveryError } from './transport.js';
import { Webhooks, type Self } from './webhooks.js';
import type { DiscordConfig } from './config.js';

export { discordConfigFromEnv, type DiscordConfig } from './config.js';

export function createDiscordBot(config: DiscordConfig): DiscordBot {
  return new DiscordBot(config);
}

/** Longest a new session waits for its guilds before catch-up runs anyway. */
const SESSION_READY_TIMEOUT_MS = 20_000;

interface Running {
  readonly ctx: BotContext;
  readonly lastSeen: LastSeen;
  readonly webhooks: Webhooks;
  readonly inbound: InboundHandler;
  readonly outbound: Outbound;
  readonly gateway: Gateway;
}

export class DiscordBot implements EditingBot, DeletingBot, NamingBot, ReportingBot, WorkspaceBot, AdminAware {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = { maxTextLength: MAX_TEXT, maxFileBytes: MAX_FILE_BYTES, impersonate: true, replies: true };

  /** DMs (no guild) have no webhooks: copies there go out as the bot, named by the core in the room's format. */
  capabilitiesFor(room: RoomRef): Capabilities {
    return room.workspace ? this.capabilities : { ...this.capabilities, impersonate: false };
  }
  private readonly rest: REST;
  private readonly self: Self = {};
  private readonly dir = new Directory();
  private readonly selfDeleted = new RecentIds();
  private running: Running | undefined;
  private chain: Promise<void> = Promise.resolve();
  private sessionReady: (() => void) | undefined;
  private firstCatchUp: Promise<void> | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseBusy = false;

  constructor(private readonly config: DiscordConfig) {
    this.rest = createRest(config.apiUrl ?? DEFAULT_API_URL, config.token);
  }

  async start(ctx: BotContext): Promise<void> {
    const lastSeen = new LastSeen(ctx.state, ctx.log);
    await lastSeen.load();
    const webhooks = new Webhooks(this.rest, ctx.state, this.self);
    const deps = { rest: this.rest, dir: this.dir, webhooks, self: this.self, selfDeleted: this.selfDeleted };
    const gateway = new Gateway(
      { token: this.config.token, api: this.config.apiUrl ?? DEFAULT_API_URL, log: ctx.log },
      { dispatch: (t, d) => this.onDispatch(t, d), sessionReady: () => this.sessionReady?.() },
    );
    this.running = {
      ctx,
      lastSeen,
      webhooks,
      inbound: new InboundHandler({ ...deps, ctx, lastSeen, download: attachmentDownloader(ctx, this.config.apiUrl ?? DEFAULT_API_URL) }),
      outbound: new Outbound({ ...deps, ctx: () => ctx }),
      gateway,
    };
    const me = (await call('get bot user', () => this.rest.get(Routes.user()))) as APIUser;
    this.self.userId = me.id;
    if (!ctx.leaseHeld || ctx.leaseHeld()) await this.connect();
    if (ctx.leaseHeld) {
      this.leaseTimer = setInterval(() => void this.checkLease(), this.config.leasePollMs ?? 5000);
      this.leaseTimer.unref();
    }
  }

  /** For /readyz: whether the gateway session is ready (false too while another process holds it). */
  connection(): ConnectionState {
    return this.running?.gateway.ready ? { up: true } : { up: false, reason: 'gateway session not ready' };
  }

  async stop(): Promise<void> {
    clearInterval(this.leaseTimer);
    const r = this.running;
    this.sessionReady?.();
    await r?.gateway.disconnect();
    await this.chain;
    await r?.lastSeen.flush();
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
  }

  send(post: OutboundPost): Promise<RemoteMessageId[]> {
    return this.run().outbound.send(post);
  }

  say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    return this.run().outbound.say(room, text, replyTo);
  }

  edit(edit: OutboundEdit): Promise<void> {
    return this.run().outbound.edit(edit);
  }

  delete(del: OutboundDelete): Promise<void> {
    return this.run().outbound.delete(del);
  }

  readonly adminsAre = DISCORD_ADMINS_ARE;

  isAdmin(room: RoomRef, userId: string): Promise<boolean> {
    return isDiscordAdmin(this.rest, this.dir, room, userId);
  }

  /** A guild channel's tenant is its guild; a DM (no guild) is its own. */
  tenantWorkspace(room: RoomRef): string | undefined {
    return room.workspace;
  }

  async roomName(room: RoomRef): Promise<string> {
    const ch = await this.dir.get(room.channel, this.rest);
    if (ch.dm) return `DM with ${ch.recipient ?? 'someone'}`;
    const guild = ch.guildId ? this.dir.guildName(ch.guildId) : undefined;
    const where = guild ? ` on ${guild}` : '';
    const parent = ch.thread && ch.parentId ? this.dir.channelName(ch.parentId) : undefined;
    return `#${ch.name ?? ch.id}${parent ? ` (thread in #${parent})` : ''}${where}`;
  }

  /** The slash command's name: the command word, as Discord allows it. */
  commandName(): string {
    const word = this.run().ctx.commandWord.toLowerCase().replace(/[^-_\p{L}\p{N}]/gu, '');
    return word.slice(0, 32) || 'sameroom';
  }

  private run(): Running {
    if (!this.running) throw new Error('discord bot not started');
    return this.running;
  }

  private async connect(): Promise<void> {
    const r = this.run();
    this.firstCatchUp = undefined;
    await r.gateway.connect();
    await this.registerCommands();
    await this.firstCatchUp;
  }

  private async registerCommands(): Promise<void> {
    const r = this.run();
    if (!this.self.appId) return;
    const body: RESTPutAPIApplicationCommandsJSONBody = [
      {
        type: ApplicationCommandType.ChatInput,
        name: this.commandName(),
        description: 'Link this channel with rooms on other chat services',
        options: [{ type: ApplicationCommandOptionType.String, name: 'args', description: 'open, connect <code>, list, close <n>, help …', required: false }],
        contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
        integration_types: [ApplicationIntegrationType.GuildInstall],
      },
    ];
    try {
      await this.rest.put(Routes.applicationCommands(this.self.appId), { body });
    } catch (err) {
      r.ctx.log.error({ err: toDeliveryError(err, 'register slash command').message }, 'discord: slash command not registered');
    }
  }

  private async checkLease(): Promise<void> {
    const r = this.running;
    if (!r?.ctx.leaseHeld || this.leaseBusy) return;
    this.leaseBusy = true;
    try {
      const held = r.ctx.leaseHeld();
      if (held && !r.gateway.connected) await this.connect();
      else if (!held && r.gateway.connected) await r.gateway.disconnect();
    } catch (err) {
      r.ctx.log.error({ err }, 'discord: gateway lease change failed');
    } finally {
      this.leaseBusy = false;
    }
  }

  /** Run inbound work one at a time, in gateway order. Failures are logged, never block the rest. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const p = this.chain.then(task).catch((err: unknown) => {
      this.running?.ctx.log.error({ err }, 'discord: inbound event failed');
    });
    this.chain = p;
    return p;
  }

  private onDispatch(t: string, d: unknown): void {
    const r = this.running;
    if (!r) return;
    switch (t) {
      case 'READY': {
        const ready = d as GatewayReadyDispatchData;
        this.self.userId = ready.user.id;
        this.self.appId = ready.application.id;
        // A new session (not a resume) may have missed messages: catch up from what we saw last.
        const snapshot = r.lastSeen.snapshot();
        const guildsIn = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, SESSION_READY_TIMEOUT_MS);
          timer.unref();
          this.sessionReady = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const done = this.enqueue(async () => {
          await guildsIn;
          await catchUp(snapshot, { rest: this.rest, lastSeen: r.lastSeen, log: r.ctx.log, onMessage: (m, g) => r.inbound.onCreate(m, g) });
        });
        this.firstCatchUp ??= done;
        return;
      }
      case 'GUILD_CREATE':
        return this.dir.onGuildCreate(d as GatewayGuildCreateDispatchData);
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
        return this.dir.onChannel(d as APIChannel);
      case 'CHANNEL_DELETE':
      case 'THREAD_DELETE':
        return this.dir.onChannelDelete((d as APIChannel).id);
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const role = d as GatewayGuildRoleModifyDispatchData;
        return this.dir.onRole(role.guild_id, role.role);
      }
      case 'MESSAGE_CREATE':
        void this.enqueue(() => r.inbound.onCreate(d as GatewayMessageCreateDispatchData));
        return;
      case 'MESSAGE_UPDATE':
        void this.enqueue(() => r.inbound.onUpdate(d as GatewayMessageUpdateDispatchData));
        return;
      case 'MESSAGE_DELETE':
        void this.enqueue(() => r.inbound.onDelete(d as GatewayMessageDeleteDispatchData));
        return;
      case 'MESSAGE_DELETE_BULK':
        void this.enqueue(() => r.inbound.onDeleteBulk(d as GatewayMessageDeleteBulkDispatchData));
        return;
      case 'INTERACTION_CREATE': {
        const i = d as APIInteraction;
        const name = this.commandName();
        // Discord wants an answer within 3 s: acknowledge now, ingest in order.
        const ack = r.inbound.acknowledge(i, name);
        void this.enqueue(async () => {
          await ack;
          await r.inbound.onInteraction(i, name);
        });
        return;
      }
      default:
        return;
    }
  }
}

