/**
 * The Telegram bot: start (getMe, then long polling or webhook), stop, and the update handler
 * that turns updates into Inbound events.
 */
import type { Bot as Client, Update, User } from 'node-telegram-bot-api';
import type { AdminAware, BotContext, ConnectionState, DeletingBot, EditingBot, NamingBot, PrivateReplier } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import type {
  Capabilities,
  OutboundDelete,
  OutboundEdit,
  OutboundPost,
  RemoteMessageId,
  RoomRef,
} from '../../src/model.js';
import { isTelegramAdmin, TELEGRAM_ADMINS_ARE } from './admins.js';
import { call, createClient, downloadFile, redactor, toDeliveryError } from './client.js';
import { checkConfig, type TelegramConfig } from './config.js';
import { toInbound } from './inbound.js';
import { MAX_TEXT, MAX_UPLOAD_BYTES, Outbound } from './outbound.js';
import { Poller } from './poller.js';
import { PLATFORM, targetOf } from './rooms.js';
import { startWebhook } from './webhook.js';

export class TelegramBot implements EditingBot, DeletingBot, NamingBot, AdminAware, PrivateReplier {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = {
    maxTextLength: MAX_TEXT,
    maxFileBytes: MAX_UPLOAD_BYTES,
    impersonate: false,
    replies: true,
  };

  private readonly config: TelegramConfig;
  private readonly client: Client;
  private readonly redact: (s: string) => string;
  private readonly outbound: Outbound;
  private ctx: BotContext | undefined;
  private me: User | undefined;
  private poller: Poller | undefined;
  private running = false;

  constructor(config: TelegramConfig) {
    this.config = checkConfig(config);
    this.client = createClient(config);
    this.redact = redactor(config.token);
    this.outbound = new Outbound({ client: this.client, redact: this.redact, context: () => this.context() });
    this.client.use(async (tctx) => this.onUpdate(tctx.update));
    // Fail loud: a failed update stops the poll pump (re-polled from the stored offset) and
    // answers a webhook delivery with 500 (Telegram sends it again).
    this.client.catch((err) => {
      throw err;
    });
  }

  async start(ctx: BotContext): Promise<void> {
    this.ctx = ctx;
    this.me = await call('getMe', this.redact, () => this.client.api.getMe());
    this.running = true;
    const { webhookSecret } = this.config;
    if (webhookSecret) {
      await startWebhook(ctx, {
        client: this.client,
        token: this.config.token,
        secret: webhookSecret,
        redact: this.redact,
        running: () => this.running,
      });
      ctx.log.info({ username: this.me.username }, 'telegram bot started (webhook)');
      return;
    }
    // A webhook left from an earlier run would make getUpdates fail with 409.
    await call('deleteWebhook', this.redact, () => this.client.api.deleteWebhook({ drop_pending_updates: false }));
    this.poller = new Poller({
      client: this.client,
      state: ctx.state,
      log: ctx.log,
      timeoutSeconds: this.config.pollTimeoutSeconds ?? 30,
      retryMs: this.config.pollRetryMs ?? 1000,
      leaseCheckMs: this.config.leaseCheckMs ?? 2000,
      ...(ctx.leaseHeld ? { leaseHeld: ctx.leaseHeld } : {}),
      mapError: (err) => toDeliveryError(err, 'getUpdates', this.redact),
      redact: this.redact,
    });
    this.poller.start();
    ctx.log.info({ username: this.me.username }, 'telegram bot started (long polling)');
  }

  /** Long polling: the poller's state; webhook mode holds no connection, so started is up. */
  connection(): ConnectionState {
    if (this.poller) return this.poller.state;
    return this.running ? { up: true } : { up: false, reason: 'not started' };
  }

  async stop(): Promise<void> {
    this.running = false;
    // The poller stays in place until it stopped: an update in hand still gets its offset stored.
    await this.poller?.stop();
    this.poller = undefined;
  }

  send(post: OutboundPost): Promise<RemoteMessageId[]> {
    return this.outbound.send(post);
  }

  say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
    return this.outbound.say(room, text, replyTo);
  }

  edit(edit: OutboundEdit): Promise<void> {
    return this.outbound.edit(edit);
  }

  delete(del: OutboundDelete): Promise<void> {
    return this.outbound.delete(del);
  }

  async roomName(room: RoomRef): Promise<string> {
    const { chatId, threadId } = targetOf(room);
    const chat = await call('getChat', this.redact, () => this.client.api.getChat({ chat_id: chatId }));
    const name = chat.title ?? ([chat.first_name, chat.last_name].filter(Boolean).join(' ') || String(chat.id));
    return threadId === undefined ? name : `${name} (topic ${threadId})`;
  }

  readonly adminsAre = TELEGRAM_ADMINS_ARE;
  readonly privately = 'in a private chat with me';

  isAdmin(room: RoomRef, userId: string): Promise<boolean> {
    return isTelegramAdmin(this.client, this.redact, room, userId);
  }

  /** A private chat: works once the person has started one with the bot (Telegram refuses otherwise). */
  async sayPrivately(_room: RoomRef, userId: string, text: string): Promise<boolean> {
    if (!/^\d+$/.test(userId)) return false;
    try {
      await this.outbound.say({ platform: PLATFORM, channel: userId }, text);
      return true;
    } catch (err) {
      if (err instanceof DeliveryError) return false;
      throw err;
    }
  }

  /** Converts one update and hands it to the core; then (polling) moves the stored offset past it. */
  private async onUpdate(update: Update): Promise<void> {
    const ctx = this.context();
    const me = this.me;
    if (!me) throw new Error('telegram bot not started');
    const event = toInbound(update, {
      me,
      commandWord: ctx.commandWord,
      download: (fileId) => downloadFile(this.client, this.config, fileId, ctx.download),
    });
    if (event) await ctx.ingest(event);
    await this.poller?.confirm(update);
  }

  private context(): BotContext {
    if (!this.ctx) throw new Error('telegram bot not started');
    return this.ctx;
  }
}
