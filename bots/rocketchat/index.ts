/**
 * Rocket.Chat bot: a user with the bot role, signed in with a personal access token (user id +
 * token). Reads over the realtime API (DDP), writes with REST; copies appear under the author's
 * name through `alias`/`avatar`. Lifecycle here; see ddp.ts, inbound.ts, outbound.ts, format.ts.
 */
import type { RocketChatConfig } from './config.js';
import type { Bot, BotContext, ConnectionState, DeletingBot, EditingBot, NamingBot, ReportingBot } from '../../src/bot.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { RocketChatClient } from './client.js';
import { DdpClient } from './ddp.js';
import { deleteEvent, toInbound, type InboundDeps } from './inbound.js';
import { MAX_MESSAGE, RocketOutbound } from './outbound.js';
import { str, type RcMessage } from './types.js';

export { rocketchatConfigFromEnv, type RocketChatConfig } from './config.js';

export type RocketChatBot = Bot & EditingBot & DeletingBot & NamingBot & ReportingBot;

export function createRocketChatBot(config: RocketChatConfig): RocketChatBot {
  const client = new RocketChatClient(config.url, config.userId, config.authToken);
  let ctx: BotContext | undefined;
  let ddp: DdpClient | undefined;
  let botUserId = config.userId;
  const capabilities: Capabilities = {
    maxTextLength: config.maxTextLength ?? MAX_MESSAGE,
    maxFileBytes: config.maxFileBytes ?? 100 * 1024 * 1024,
    impersonate: true,
    replies: true,
  };
  const context = (): BotContext => {
    if (!ctx) throw new Error('rocketchat bot not started');
    return ctx;
  };
  const outbound = new RocketOutbound(client, context, capabilities, () => botUserId);

  const bot = {
    platform: 'rocketchat',
    capabilities,

    async start(c: BotContext): Promise<void> {
      ctx = c;
      const me = await client.get<Record<string, unknown>>('/api/v1/me');
      botUserId = str(me._id) ?? config.userId;
      const username = str(me.username) ?? '';
      const subs = await client.get<{ update?: { rid?: string }[] }>('/api/v1/subscriptions.get').catch(() => ({ update: [] }));
      const deps: InboundDeps = {
        botUserId,
        botUsername: username,
        commandWord: c.commandWord,
        baseUrl: client.base,
        download: (path) => () => client.bytes(path.startsWith('/') ? path : `/${path}`),
      };
      // A thread reply or a reaction re-sends the parent; skip messages already seen unchanged.
      const seen = new Map<string, string>();
      const wsUrl = `${client.base.replace(/^http/, 'ws')}/websocket`;
      ddp = new DdpClient(wsUrl, config.authToken, {
        log: c.log,
        retryMs: config.retryMs ?? 1000,
        pingMs: config.pingMs ?? 30_000,
        ...(c.leaseHeld ? { leaseHeld: c.leaseHeld } : {}),
        onMessage: async (m: RcMessage) => {
          const inbound = toInbound(m, deps);
          if (!inbound || seen.get(inbound.id) === inbound.eventId) return;
          await c.ingest(inbound);
          seen.set(inbound.id, inbound.eventId);
          if (seen.size > 2000) seen.delete(seen.keys().next().value as string);
        },
        onDelete: (rid, id) => c.ingest(deleteEvent(rid, id)),
      });
      ddp.start((subs.update ?? []).map((s) => s.rid).filter((r): r is string => typeof r === 'string'));
      c.log.info({ user: username }, 'rocketchat bot started');
    },

    connection(): ConnectionState {
      return ddp?.state ?? { up: false, reason: 'not started' };
    },

    async stop(): Promise<void> {
      await ddp?.stop();
      ddp = undefined;
    },

    send: (post: OutboundPost): Promise<RemoteMessageId[]> => outbound.send(post),
    say: (room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> => outbound.say(room, text, replyTo),
    edit: (edit: OutboundEdit): Promise<void> => outbound.edit(edit),
    delete: (del: OutboundDelete): Promise<void> => outbound.delete(del),

    async roomName(room: RoomRef): Promise<string> {
      const res = await client.get<{ room?: { fname?: string; name?: string; t?: string } }>('/api/v1/rooms.info', { roomId: room.channel });
      const name = res.room?.fname || res.room?.name;
      return name ? (res.room?.t === 'd' ? `@${name}` : `#${name}`) : room.channel;
    },
  } satisfies RocketChatBot;
  return bot;
}
