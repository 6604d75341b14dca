/**
 * Slack BridgeBot on @slack/bolt 5. Hears public and private channels, DMs and group DMs through
 * the Events API (`POST /slack/events` on the bridge's server, signed) or Socket Mode (when an
 * app token is set); posts copies with chat.postMessage under the author's name and avatar
 * (`chat:write.customize`), files with the v2 upload flow, edits and deletes its copies.
 *
 * Room = {platform 'slack', workspace: team id, channel: channel id}; message id = ts; a thread
 * reply is in its channel's room with replyTo = thread_ts.
 */
import type { SlashCommand } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BotContext, DeletingBot, EditingBot, NamingBot } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import type { Capabilities, Inbound, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { DEFAULTS, normalizeApiUrl, type SlackConfig } from './config.js';
import { Seen } from './dedupe.js';
import { Directory } from './directory.js';
import { call } from './errors.js';
import { commandToInbound, makeDownloader, messageToInbound, PLATFORM, type InboundDeps, type SelfIds, type SlackMessage } from './inbound.js';
import { slackLogger } from './logger.js';
import { deleteMessage, editMessage, MAX_FILE_BYTES, MAX_TEXT, sayText, sendPost, type OutboundDeps } from './outbound.js';
import { createTransport, type Transport } from './transport.js';

export { slackConfigFromEnv, type SlackConfig } from './config.js';
export { canonicalToMrkdwn, mrkdwnToCanonical } from './format.js';

export type SlackBot = EditingBot & DeletingBot & NamingBot;

interface Running {
  readonly ctx: BotContext;
  readonly log: Logger;
  readonly self: SelfIds;
  readonly teamName: string;
  readonly directory: Directory;
  readonly inbound: InboundDeps;
  readonly outbound: OutboundDeps;
  readonly transport: Transport;
  /** Per channel, the tail of the ingest chain (keeps a channel's events in order). */
  readonly chains: Map<string, Promise<void>>;
  stopped: boolean;
}

export function createSlackBot(config: SlackConfig): SlackBot {
  const apiUrl = normalizeApiUrl(config.apiUrl ?? DEFAULTS.apiUrl);
  const capabilities: Capabilities = {
    maxTextLength: MAX_TEXT,
    maxFileBytes: MAX_FILE_BYTES,
    impersonate: true,
    replies: true,
  };
  // Redeliveries (x-slack-retry-num, retry_attempt) by event id; the same message heard as both
  // `message` and `app_mention` by channel:ts.
  const seenEvents = new Seen();
  const seenPosts = new Seen();
  let run: Running | undefined;

  const running = (): Running => {
    if (!run || run.stopped) throw new DeliveryError('unavailable', 'Slack bot is not running');
    return run;
  };

  const inOrder = (r: Running, channel: string, job: () => Promise<void>): Promise<void> => {
    const next = (r.chains.get(channel) ?? Promise.resolve()).then(job);
    const tail = next.catch(() => undefined);
    r.chains.set(channel, tail);
    void tail.then(() => {
      if (r.chains.get(channel) === tail) r.chains.delete(channel);
    });
    return next;
  };

  const deliver = async (r: Running, eventId: string, channel: string, build: () => Promise<Inbound | undefined>): Promise<void> => {
    if (!seenEvents.add(eventId)) {
      r.log.debug({ eventId }, 'slack: redelivered event dropped');
      return;
    }
    try {
      await inOrder(r, channel, async () => {
        const event = await build();
        if (!event) return;
        if (event.kind === 'post' && !seenPosts.add(`${channel}:${event.id}`)) return;
        await r.ctx.ingest(event);
      });
    } catch (err) {
      // Not handled: a redelivery may try again.
      seenEvents.delete(eventId);
      r.log.error({ err: String(err), eventId }, 'slack: event not ingested');
    }
  };

  const bot: SlackBot = {
    platform: PLATFORM,
    capabilities,

    async start(ctx: BotContext): Promise<void> {
      if (run && !run.stopped) return;
      const log = ctx.log.child({ platform: PLATFORM });
      const clientOptions: WebClientOptions = {
        slackApiUrl: apiUrl,
        // The bridge's queue retries; a 429 must surface with its Retry-After.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logger: slackLogger(log),
      };
      const client = new WebClient(config.botToken, clientOptions);
      const auth = await call('auth.test', () => client.auth.test());
      if (!auth.user_id || !auth.bot_id || !auth.team_id) throw new Error('slack auth.test: the token is not a bot token');
      const self: SelfIds = { userId: auth.user_id, botId: auth.bot_id, teamId: auth.team_id };
      const directory = new Directory(client, log);
      const inbound: InboundDeps = {
        self,
        commandWord: ctx.commandWord,
        directory,
        download: makeDownloader(config.botToken, apiUrl),
      };
      const handlers = {
        onEvent: async (event: SlackMessage, eventId: string): Promise<void> => {
          const r = running();
          const channel = event.channel;
          if (!channel) return;
          await deliver(r, eventId, channel, () => messageToInbound(event, eventId, r.inbound));
        },
        onCommand: async (command: SlashCommand): Promise<void> => {
          const r = running();
          await deliver(r, command.trigger_id, command.channel_id, () => commandToInbound(command, r.inbound));
        },
      };
      const transport = createTransport(config, clientOptions, self, ctx.http, log, handlers);
      run = {
        ctx,
        log,
        self,
        teamName: auth.team ?? self.teamId,
        directory,
        inbound,
        outbound: { client, readFile: (id) => ctx.readFile(id), log },
        transport,
        chains: new Map(),
        stopped: false,
      };
      try {
        await transport.start();
      } catch (err) {
        run.stopped = true;
        await transport.stop().catch(() => undefined);
        throw err;
      }
      log.info({ mode: transport.mode, team: self.teamId, bot: self.userId }, 'slack: started');
    },

    async stop(): Promise<void> {
      const r = run;
      if (!r || r.stopped) return;
      r.stopped = true;
      await r.transport.stop();
    },

    send: async (post: OutboundPost): Promise<RemoteMessageId[]> => sendPost(post, running().outbound),

    say: async (room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> =>
      sayText(running().outbound, room, text, replyTo),

    edit: async (edit: OutboundEdit): Promise<void> => editMessage(running().outbound, edit),

    delete: async (del: OutboundDelete): Promise<void> => deleteMessage(running().outbound, del),

    async roomName(room: RoomRef): Promise<string> {
      const r = running();
      const info = await call('conversations.info', () => r.directory.channel(room.channel));
      if (info.isIm) {
        const other = info.user ? await r.directory.user(info.user) : undefined;
        return `DM with ${other?.name ?? 'someone'} on ${r.teamName}`;
      }
      if (info.isMpim) return `group DM on ${r.teamName}`;
      return `#${info.name ?? room.channel} on ${r.teamName}`;
    },
  };
  return bot satisfies EditingBot & DeletingBot & NamingBot;
}
