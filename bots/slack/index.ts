/**
 * Slack BridgeBot on @slack/bolt 5. Hears public and private channels, DMs and group DMs through
 * the Events API (`POST /slack/events` on the bridge's server, signed) or Socket Mode (when an
 * app token is set); posts copies with chat.postMessage under the author's name and avatar
 * (`chat:write.customize`), files with the v2 upload flow, edits and deletes its copies.
 *
 * Room = {platform 'slack', workspace: team id, channel: channel id}; message id = ts; a thread
 * reply is in its channel's room with replyTo = thread_ts.
 *
 * After downtime it reads what it missed in the channels it had heard: messages, thread replies
 * and edits (catchup.ts).
 */
import type { SlashCommand } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AdminAware, BotContext, DeletingBot, EditingBot, NamingBot, PrivateReplier, WorkspaceBot } from '../../src/bot.js';
import { isSlackAdmin, sayEphemeral, SLACK_ADMINS_ARE } from './admins.js';
import { DeliveryError } from '../../src/errors.js';
import { KeyedChain } from '../../src/ordered-ingest.js';
import type { Capabilities, Inbound, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { fetchMissed, historyEditEventId, historyEventId } from './catchup.js';
import { compareTs, laterTs, Watermarks } from './watermarks.js';
import { DEFAULTS, normalizeApiUrl, type SlackConfig } from './config.js';
import { Seen } from './dedupe.js';
import { Directory } from './directory.js';
import { call } from './errors.js';
import { changeToInbound, commandToInbound, makeDownloader, messageToInbound, PLATFORM, type InboundDeps, type SelfIds, type SlackMessage } from './inbound.js';
import { slackLogger } from './logger.js';
import { deleteMessage, editMessage, MAX_FILE_BYTES, MAX_TEXT, sayText, sendPost, type OutboundDeps } from './outbound.js';
import { createTransport, type Transport } from './transport.js';

export { slackConfigFromEnv, type SlackConfig } from './config.js';
export { canonicalToMrkdwn, mrkdwnToCanonical } from './format.js';

export type SlackBot = EditingBot & DeletingBot & NamingBot & WorkspaceBot & AdminAware & PrivateReplier;

interface Running {
  readonly ctx: BotContext;
  readonly log: Logger;
  readonly self: SelfIds;
  readonly teamName: string;
  readonly directory: Directory;
  readonly inbound: InboundDeps;
  readonly outbound: OutboundDeps;
  readonly transport: Transport;
  /** Keeps a channel's events (and its catch-up) in order: the core's one chain. */
  readonly chain: KeyedChain;
  /** Newest ts ingested per channel (the catch-up starting point) and recently active threads. */
  readonly marks: Watermarks;
  /** Catch-up runs, awaited on stop; `abort` ends their waits. */
  readonly catchUps: Promise<void>[];
  readonly abort: AbortController;
  stopped: boolean;
}

/** Ends catch-up runs: they stop between messages; one stuck in ingest is not waited for long. */
async function endCatchUps(r: Running): Promise<void> {
  r.abort.abort();
  await Promise.race([Promise.all(r.catchUps), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
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

  const inOrder = (r: Running, channel: string, job: () => Promise<void>): Promise<void> => r.chain.run(channel, job);

  /**
   * Build, dedupe and ingest one event. A live message event then moves its channel's watermark
   * to `ts` (a post's own ts; an edit's or delete's event ts); a reply marks its thread active.
   */
  const handle = async (r: Running, channel: string, build: () => Promise<Inbound | undefined>, ts?: string): Promise<void> => {
    const event = await build();
    if (!event) return;
    const postKey = `${channel}:${event.id}`;
    if (event.kind === 'post' && !seenPosts.add(postKey)) return;
    try {
      await r.ctx.ingest(event);
    } catch (err) {
      if (event.kind === 'post') seenPosts.delete(postKey);
      throw err;
    }
    if (ts !== undefined && (event.kind !== 'post' || event.id === ts)) {
      // The event is accepted; a lost watermark only means a longer catch-up (deduplicated).
      await r.marks.record(channel, ts).catch((err: unknown) => r.log.warn({ err, channel }, 'slack: could not store the catch-up watermark'));
    }
    if (event.kind === 'post' && event.replyTo) await touchThread(r, channel, event.replyTo);
  };

  const touchThread = (r: Running, channel: string, parent: string): Promise<void> =>
    r.marks.touchThread(channel, parent).catch((err: unknown) => r.log.warn({ err, channel }, 'slack: could not store an active thread'));

  /** Ingest one catch-up event, once per process (and once overall: the core checks its id). */
  const catchUpEvent = async (r: Running, channel: string, eventId: string, build: () => Promise<Inbound | undefined>): Promise<void> => {
    if (!seenEvents.add(eventId)) return;
    try {
      await handle(r, channel, build);
    } catch (err) {
      seenEvents.delete(eventId);
      throw err;
    }
  };

  const deliver = async (r: Running, eventId: string, channel: string, build: () => Promise<Inbound | undefined>, ts?: string): Promise<void> => {
    if (!seenEvents.add(eventId)) {
      r.log.debug({ eventId }, 'slack: redelivered event dropped');
      return;
    }
    try {
      await inOrder(r, channel, () => handle(r, channel, build, ts));
    } catch (err) {
      // Not handled: a redelivery may try again.
      seenEvents.delete(eventId);
      r.log.error({ err, eventId }, 'slack: event not ingested');
    }
  };

  /**
   * Ingest what a channel got after `since` (catchup.ts), ahead of live events in that channel:
   * missed messages and replies oldest first, then edits of older messages. The watermark moves
   * once all of it is in, so a catch-up cut short is read again (deduplicated) on the next start.
   */
  const catchUp = (r: Running, channel: string, since: string): Promise<void> =>
    inOrder(r, channel, async () => {
      const missed = await fetchMissed(r.outbound.client, channel, since, {
        signal: r.abort.signal,
        log: r.log,
        threads: await r.marks.threads(channel),
        ...(config.historyPageSize ? { pageSize: config.historyPageSize } : {}),
        ...(config.historyLookback !== undefined ? { lookback: config.historyLookback } : {}),
      });
      const edit = (m: SlackMessage, editedTs: string): Promise<void> => {
        const eventId = historyEditEventId(channel, m.ts ?? '', editedTs);
        return catchUpEvent(r, channel, eventId, () => changeToInbound(m, channel, eventId, r.inbound, m));
      };
      for (const m of missed.posts) {
        if (r.stopped || !m.ts) return;
        const editedTs = m.edited?.ts;
        // Posted and edited while the bridge was down: the post carries the current text. Had it
        // been relayed before all the same (a watermark that lagged behind), its copies need the
        // edit: the edit goes first, and the core drops it when the message has no copies yet.
        if (editedTs !== undefined && compareTs(editedTs, since) > 0) await edit(m, editedTs);
        const eventId = historyEventId(channel, m.ts);
        await catchUpEvent(r, channel, eventId, () => messageToInbound(m, eventId, r.inbound));
      }
      for (const m of missed.edits) {
        if (r.stopped) return;
        if (m.edited?.ts) await edit(m, m.edited.ts);
      }
      if (missed.gone.length) await r.marks.forgetThreads(channel, missed.gone).catch(() => undefined);
      if (missed.newest) {
        await r.marks.record(channel, missed.newest).catch((err: unknown) => r.log.warn({ err, channel }, 'slack: could not store the catch-up watermark'));
      }
      if (missed.posts.length || missed.edits.length) {
        r.log.info({ channel, missed: missed.posts.length, edits: missed.edits.length }, 'slack: caught up on missed messages');
      }
    }).catch((err: unknown) => {
      // The watermark did not move: the next start tries again from the same point.
      r.log.error({ err, channel }, 'slack: catch-up failed');
    });

  const bot: SlackBot = {
    platform: PLATFORM,
    capabilities,
    /** A channel's tenant is its Slack workspace (team); a DM (`D…`) is its own. */
    tenantWorkspace: (room) => (room.channel.startsWith('D') ? undefined : room.workspace),
    adminsAre: SLACK_ADMINS_ARE,
    privately: 'as a message only you can see',
    isAdmin: (room, userId) => isSlackAdmin(running().outbound.client, room.channel, userId),
    sayPrivately: (room, userId, text) => sayEphemeral(running().outbound.client, room.channel, userId, text),

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
        download: makeDownloader(config.botToken, apiUrl, ctx.download),
      };
      const handlers = {
        onEvent: async (event: SlackMessage, eventId: string): Promise<void> => {
          const r = running();
          const channel = event.channel;
          if (!channel) return;
          // An edit moves the watermark past itself: the catch-up then does not replay it.
          const mark = event.subtype === 'message_changed' ? laterTs(event.ts, event.message?.edited?.ts) : event.ts;
          await deliver(r, eventId, channel, () => messageToInbound(event, eventId, r.inbound), mark);
        },
        onCommand: async (command: SlashCommand): Promise<void> => {
          const r = running();
          await deliver(r, command.trigger_id, command.channel_id, () => commandToInbound(command, r.inbound));
        },
      };
      const transport = createTransport(config, clientOptions, self, ctx.http, log, handlers);
      const marks = new Watermarks(ctx.state, config.rememberedThreads);
      const since = config.catchUp === false ? new Map<string, string>() : await marks.load();
      run = {
        ctx,
        log,
        self,
        teamName: auth.team ?? self.teamId,
        directory,
        inbound,
        outbound: { client, readFile: (id) => ctx.readFile(id), log },
        transport,
        chain: new KeyedChain(),
        marks,
        catchUps: [],
        abort: new AbortController(),
        stopped: false,
      };
      // Chained before the transport starts, so live events in these channels wait behind it.
      for (const [channel, ts] of since) run.catchUps.push(catchUp(run, channel, ts));
      try {
        await transport.start();
      } catch (err) {
        run.stopped = true;
        await endCatchUps(run);
        await transport.stop().catch(() => undefined);
        throw err;
      }
      log.info({ mode: transport.mode, team: self.teamId, bot: self.userId }, 'slack: started');
    },

    async stop(): Promise<void> {
      const r = run;
      if (!r || r.stopped) return;
      r.stopped = true;
      await endCatchUps(r);
      await r.transport.stop();
    },

    async send(post: OutboundPost): Promise<RemoteMessageId[]> {
      const r = running();
      const ids = await sendPost(post, r.outbound);
      // A copy posted in a thread keeps it active: Slack users may answer there while the bridge is down.
      if (post.replyTo) await touchThread(r, post.room.channel, post.replyTo);
      return ids;
    },

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
  return bot satisfies EditingBot & DeletingBot & NamingBot & WorkspaceBot & AdminAware & PrivateReplier;
}
