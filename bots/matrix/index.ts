/**
 * Matrix bot: a plain Client-Server API user (no appservice), so copies are prefixed with the
 * author's name. Works with rooms on any homeserver the account can join (Gitter's gitter.im
 * included). Lifecycle here; see sync.ts (inbound loop), inbound.ts, outbound.ts, format.ts.
 */
import type { MatrixConfig } from './config.js';
import type { AdminAware, Bot, BotContext, ConnectionState, DeletingBot, EditingBot, NamingBot, ReportingBot } from '../../src/bot.js';
import { isMatrixAdmin, MATRIX_ADMINS_ARE } from './admins.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { MatrixClient, MatrixTokenError } from './client.js';
import { toInbound, type InboundDeps } from './inbound.js';
import { MatrixOutbound } from './outbound.js';
import { localpart, Syncer, tokenReason } from './sync.js';
import { parseMxc, str } from './types.js';

export { matrixConfigFromEnv, type MatrixConfig } from './config.js';


export type MatrixBot = Bot & EditingBot & DeletingBot & NamingBot & ReportingBot & AdminAware;

export function createMatrixBot(config: MatrixConfig): MatrixBot {
  const client = new MatrixClient(config.homeserverUrl, config.accessToken);
  let ctx: BotContext | undefined;
  let syncer: Syncer | undefined;
  const capabilities = {
    maxTextLength: 16_000,
    maxFileBytes: config.maxFileBytes ?? 50 * 1024 * 1024,
    impersonate: false,
    replies: true,
  };
  const context = (): BotContext => {
    if (!ctx) throw new Error('matrix bot not started');
    return ctx;
  };
  const outbound = new MatrixOutbound(client, context, () => capabilities.maxFileBytes);

  const bot = {
    platform: 'matrix',
    get capabilities(): Capabilities {
      return capabilities;
    },

    async start(c: BotContext): Promise<void> {
      ctx = c;
      const whoami = await client.call<Record<string, unknown>>('GET', '/_matrix/client/v3/account/whoami').catch((err: unknown) => {
        throw err instanceof MatrixTokenError ? new MatrixTokenError(`matrix: ${tokenReason(err)}`, err.softLogout) : err;
      });
      const userId = config.userId ?? str(whoami.user_id);
      if (!userId) throw new Error('matrix: /whoami gave no user_id');
      const media = await client.call<Record<string, unknown>>('GET', '/_matrix/client/v1/media/config').catch(() => ({}) as Record<string, unknown>);
      const limit = media['m.upload.size'];
      if (typeof limit === 'number' && limit > 0) capabilities.maxFileBytes = Math.min(limit, config.maxFileBytes ?? limit);
      const s: Syncer = new Syncer(client, c, {
        timeoutMs: config.syncTimeoutMs ?? 30_000,
        retryMs: config.retryMs ?? 1000,
        handle: async (roomId, ev) => {
          const inbound = await toInbound(roomId, ev, deps);
          if (inbound) await c.ingest(inbound);
        },
      });
      const self = await s.author('', userId);
      const deps: InboundDeps = {
        userId,
        botNames: [...new Set([self.name, localpart(userId)])],
        commandWord: c.commandWord,
        author: (roomId, user) => s.author(roomId, user),
        download: (mxc) => () => {
          const m = parseMxc(mxc);
          if (!m) return Promise.reject(new Error(`matrix: not an mxc URI: ${mxc}`));
          return client.bytes(`/_matrix/client/v1/media/download/${encodeURIComponent(m.server)}/${encodeURIComponent(m.mediaId)}`, c.download);
        },
      };
      syncer = s;
      s.start();
      c.log.info({ userId }, 'matrix bot started');
    },

    connection(): ConnectionState {
      return syncer?.state ?? { up: false, reason: 'not started' };
    },

    async stop(): Promise<void> {
      await syncer?.stop();
      syncer = undefined;
    },

    send: (post: OutboundPost): Promise<RemoteMessageId[]> => outbound.send(post),
    say: (room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> => outbound.say(room, text, replyTo),
    edit: (edit: OutboundEdit): Promise<void> => outbound.edit(edit),
    delete: (del: OutboundDelete): Promise<void> => outbound.delete(del),

    adminsAre: MATRIX_ADMINS_ARE,
    isAdmin: (room: RoomRef, userId: string): Promise<boolean> => isMatrixAdmin(client, room.channel, userId),

    async roomName(room: RoomRef): Promise<string> {
      const state = (type: string): Promise<Record<string, unknown> | undefined> =>
        client
          .call<Record<string, unknown>>('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(room.channel)}/state/${type}`)
          .catch(() => undefined);
      const name = str((await state('m.room.name'))?.name);
      const alias = str((await state('m.room.canonical_alias'))?.alias);
      return name ?? alias ?? room.channel;
    },
  } satisfies MatrixBot;
  return bot;
}
