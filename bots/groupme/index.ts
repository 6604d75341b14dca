/**
 * GroupMe BridgeBot. The bridge runs as a regular GroupMe account (its access token); people
 * add that account to their groups. For each group it is in, the bot creates one GroupMe bot
 * whose callback is `${PUBLIC_URL}/groupme/<secret path>`, hears the group through it and posts
 * through `bots/post`. Room = `{platform:'groupme', channel: group id}` (no workspace).
 *
 * GroupMe bots cannot edit or delete messages, nor post under another name: copies carry the
 * author's name as a prefix (the core adds it), and this bot implements neither edit nor delete.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BotContext, NamingBot } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import type { Capabilities } from '../../src/model.js';
import { GroupMeClient } from './client.js';
import { DEFAULTS, type GroupMeConfig } from './config.js';
import { EchoMatcher } from './echo.js';
import { PLATFORM, toInbound } from './inbound.js';
import { MAX_TEXT, post, type OutboundDeps } from './outbound.js';
import { BotRegistry } from './registry.js';
import { parseCallback } from './types.js';

export { groupmeConfigFromEnv, type GroupMeConfig } from './config.js';

/** The GroupMe bot: the Bot contract plus a way to re-list groups now. */
export interface GroupMeBot extends NamingBot {
  /** List the account's groups and set up bots for new ones (runs at start and periodically). */
  sync(): Promise<void>;
}

/** Callback route on the bridge's HTTP server; the path part is a secret per bot. */
export const CALLBACK_ROUTE = '/groupme/:path';

interface Running {
  readonly ctx: BotContext;
  readonly log: Logger;
  readonly registry: BotRegistry;
  readonly deps: OutboundDeps;
  timer: NodeJS.Timeout | undefined;
  /** Events handed to the core and not yet accepted (waited for at stop). */
  readonly inFlight: InFlight;
  stopped: boolean;
}

export function createGroupMeBot(config: GroupMeConfig): GroupMeBot {
  const botName = config.botName ?? DEFAULTS.botName;
  const maxImageBytes = config.maxImageBytes ?? DEFAULTS.maxImageBytes;
  const maxDownloadBytes = config.maxDownloadBytes ?? DEFAULTS.maxDownloadBytes;
  const capabilities: Capabilities = {
    maxTextLength: MAX_TEXT,
    maxFileBytes: maxImageBytes,
    impersonate: false,
    replies: true,
  };
  const client = new GroupMeClient({
    apiUrl: config.apiUrl ?? DEFAULTS.apiUrl,
    imageUrl: config.imageUrl ?? DEFAULTS.imageUrl,
    token: config.accessToken,
    ...(config.groupsPerPage ? { perPage: config.groupsPerPage } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const echoes = new EchoMatcher();
  let run: Running | undefined;

  const running = (): Running => {
    if (!run || run.stopped) throw new DeliveryError('unavailable', 'GroupMe bot is not running');
    return run;
  };

  const syncLogged = (r: Running): Promise<void> =>
    r.registry.sync().catch((err: unknown) => r.log.warn({ err }, 'groupme: group sync failed'));

  const onCallback = async (req: FastifyRequest<{ Params: { path: string } }>, reply: FastifyReply) => {
    const r = run;
    if (!r || r.stopped) return reply.code(503).send({ error: 'stopping' });
    const bot = r.registry.forPath(req.params.path) ?? (await r.registry.loadPath(req.params.path));
    if (!bot) return reply.code(404).send({ error: 'not found' });
    const msg = parseCallback(req.body);
    if (!msg || msg.group_id !== bot.groupId) return reply.code(400).send({ error: 'not a message of this group' });
    if (msg.sender_type === 'bot') echoes.echo(msg.group_id, msg.text, msg.id);
    const event = toInbound(msg, {
      botName,
      commandWord: r.ctx.commandWord,
      download: (url) => client.download(url, maxDownloadBytes),
    });
    // Answer GroupMe at once (it does not redeliver callbacks): the core takes the message in
    // order per group and retries it until accepted, so a failing ingest loses nothing.
    if (event) r.inFlight.add(r.ctx.ingestInOrder(event));
    return reply.code(200).send({ ok: true });
  };

  const bot = {
    platform: PLATFORM,
    capabilities,

    async start(ctx: BotContext): Promise<void> {
      const log = ctx.log.child({ platform: PLATFORM });
      const registry = new BotRegistry({
        client,
        state: ctx.state,
        log,
        callbackPrefix: () => `${ctx.publicUrl.replace(/\/+$/, '')}/groupme/`,
        botName,
        ...(config.avatarUrl ? { avatarUrl: config.avatarUrl } : {}),
      });
      const r: Running = {
        ctx,
        log,
        registry,
        timer: undefined,
        inFlight: new InFlight(),
        stopped: false,
        deps: {
          client,
          registry,
          echoes,
          log,
          readFile: (id) => ctx.readFile(id),
          maxImageBytes,
          echoWaitMs: config.echoWaitMs ?? DEFAULTS.echoWaitMs,
          resync: () => void syncLogged(r),
        },
      };
      run = r;
      ctx.http.post(CALLBACK_ROUTE, onCallback);
      try {
        await registry.sync();
      } catch (err) {
        // A bad token will not heal: say so now. Anything else is retried by the timer.
        if (err instanceof DeliveryError && err.code === 'forbidden') throw err;
        log.warn({ err }, 'groupme: first group sync failed; retrying on the next interval');
      }
      r.timer = setInterval(() => void syncLogged(r), config.syncIntervalMs ?? DEFAULTS.syncIntervalMs);
      r.timer.unref();
    },

    async stop(): Promise<void> {
      const r = run;
      if (!r || r.stopped) return;
      r.stopped = true;
      clearInterval(r.timer);
      echoes.clear();
      await Promise.allSettled([r.inFlight.idle(), r.registry.idle()]);
    },

    async sync(): Promise<void> {
      await running().registry.sync();
    },

    async send(p) {
      return post(running().deps, { room: p.room, text: p.text, files: p.attachments, replyTo: p.replyTo });
    },

    async roomName(room) {
      const groups = await client.listGroups();
      return groups.find((g) => g.id === room.channel)?.name ?? room.channel;
    },

    async say(room, text, replyTo) {
      return post(running().deps, { room, text, ...(replyTo ? { replyTo } : {}) });
    },
  } satisfies GroupMeBot;
  return bot;
}

/** Promises still running, forgotten once settled. */
class InFlight {
  private readonly pending = new Set<Promise<void>>();

  add(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  idle(): Promise<void> {
    return Promise.allSettled([...this.pending]).then(() => undefined);
  }
}
