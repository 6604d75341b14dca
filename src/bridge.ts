/**
 * The bridge: wires the store, queue, bots, relay and commands together and runs them.
 * Everything is injected, so tests build a bridge from test bots and a test store.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { canName, hasWorkspaces, type Bot, type BotContext } from './bot.js';
import { Codes } from './codes.js';
import { secretValues, type Config } from './config.js';
import type { CommandRunner } from './command.js';
import { platformInfo, platformName, registerPlatforms, type PlatformInfo } from './platform.js';
import { Deliverer } from './deliver.js';
import { Files } from './files.js';
import { Downloader } from './download.js';
import { createMetricsHttp, mountCore } from './http.js';
import { Links } from './links.js';
import { Lockout } from './lockout.js';
import { scrub } from './log.js';
import { keys } from './keys.js';
import { escapeText, toPlain } from './markup.js';
import { MessageMap } from './messagemap.js';
import { Metrics } from './metrics.js';
import { PlatformRunner } from './platforms.js';
import { parseRoomKey, roomKey, type Inbound, type RoomKey, type RoomRef } from './model.js';
import { jobId } from './queue/job.js';
import type { DeliveryQueue } from './queue/queue.js';
import { storeInbox } from './inbox.js';
import { OrderedIngest } from './ordered-ingest.js';
import { RecentMessages } from './recent.js';
import { Relay } from './relay.js';
import { Rooms } from './rooms.js';
import { SecurityLog, formatEntry, tenantOf, type SecEntry } from './seclog.js';
import type { Services } from './services.js';
import type { Store } from './store/store.js';
import type { LeaseHandle } from './store/store.js';
import { Tubes } from './tubes.js';

export interface BridgeDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly queue: DeliveryQueue;
  readonly http: FastifyInstance;
  readonly bots: readonly Bot[];
  /** First and longest wait before starting a failed platform again (default 5 s, 5 min). */
  readonly platformRetryMs?: { readonly first: number; readonly max: number };
  /** the command layer (commands/), injected */
  readonly commands: CommandRunner;
  /** what the descriptors say about each platform (display names, limits) */
  readonly platforms?: readonly PlatformInfo[];
}

export class Bridge implements Services {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly queue: DeliveryQueue;
  readonly http: FastifyInstance;
  readonly tubes: Tubes;
  readonly codes: Codes;
  readonly rooms: Rooms;
  readonly map: MessageMap;
  readonly recent: RecentMessages;
  readonly seclog: SecurityLog;
  readonly files: Files;
  readonly downloader: Downloader;
  readonly metrics: Metrics;
  /** /metrics on its own listener when METRICS_PORT is set (main listens on it). */
  readonly metricsHttp: FastifyInstance | undefined;
  readonly relay: Relay;
  readonly links: Links;
  readonly connectAttempts: Lockout;
  readonly commands: CommandRunner;
  private readonly bots = new Map<string, Bot>();
  private readonly configured: readonly Bot[];
  /** Starts the bots, retries those that fail, and knows each platform's state. */
  readonly runner: PlatformRunner;
  private readonly leases = new Map<string, LeaseHandle>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly ordered: OrderedIngest;

  constructor(deps: BridgeDeps) {
    this.config = deps.config;
    this.log = deps.log;
    this.store = deps.store;
    this.queue = deps.queue;
    this.http = deps.http;
    for (const b of deps.bots) this.bots.set(b.platform, b);
    this.configured = deps.bots;
    const secrets = secretValues(this.config.env);
    this.runner = new PlatformRunner({
      log: this.log,
      context: (bot, http) => this.contextFor(bot, http),
      leaseHeld: (platform) => this.leases.get(platform)?.held,
      onRunning: (bot, running) => (running ? this.bots.set(bot.platform, bot) : this.bots.delete(bot.platform)),
      scrub: (text) => scrub(text, secrets),
      ...(deps.platformRetryMs ? { retryMs: deps.platformRetryMs } : {}),
    });
    this.tubes = new Tubes(this.store);
    this.codes = new Codes(this.store, this.config.codeTtlMs);
    this.rooms = new Rooms(this.store, this.tubes);
    this.map = new MessageMap(this.store);
    this.recent = new RecentMessages(this.store, this.config.contextOnConnect);
    this.seclog = new SecurityLog(this.store);
    this.files = new Files(this.store, this.config.publicUrl, this.config.limits.files, this.log);
    this.downloader = new Downloader(this.config.limits.download);
    this.metrics = new Metrics(this.queue, () => this.runner.states());
    this.metricsHttp = this.config.limits.http.metricsPort !== undefined ? createMetricsHttp(this.metrics) : undefined;
    this.links = new Links(this.store);
    // Five failed connects per room, person or client address lock it out for 15 minutes.
    this.connectAttempts = new Lockout(this.store);
    this.commands = deps.commands;
    registerPlatforms(deps.platforms ?? []);
    this.relay = new Relay(this, this.commands);
    this.ordered = new OrderedIngest(this.log);
    this.seclog.onAppend((_ws, entry, subs) => {
      void Promise.all(subs.map((r) => this.notify(r, `🔒 ${escapeText(formatEntry(entry))}`))).catch((err: unknown) =>
        this.log.error({ err }, 'could not post a security log line'),
      );
    });
    mountCore(this.http, {
      store: this.store,
      files: this.files,
      metrics: this.metrics,
      limits: this.config.limits.http,
      bots: () => [...this.bots.keys()],
      platforms: () => this.runner.states(),
    });
  }

  platform(name: string): PlatformInfo {
    return platformInfo(name);
  }

  bot(platform: string): Bot | undefined {
    return this.bots.get(platform);
  }

  platforms(): string[] {
    return [...this.bots.keys()];
  }

  async roomName(room: RoomKey): Promise<string> {
    const ref = parseRoomKey(room);
    const settings = await this.rooms.get(room);
    let name = settings.name;
    const bot = this.bots.get(ref.platform);
    if (!name && bot && canName(bot)) {
      try {
        name = await bot.roomName(ref);
        await this.rooms.update(room, { name });
      } catch (err) {
        this.log.debug({ err, room }, 'room name lookup failed');
      }
    }
    return escapeText(`${name ?? ref.channel} (${platformName(ref.platform)})`);
  }

  async notify(room: RoomKey, text: string): Promise<void> {
    await this.queue.enqueue([{ op: 'notice', id: jobId(), target: room, acceptedAt: Date.now(), text }]);
  }

  tenant(room: RoomRef): string {
    const bot = this.bots.get(room.platform);
    return tenantOf(room, bot && hasWorkspaces(bot) ? bot.tenantWorkspace(room) : undefined);
  }

  async audit(room: RoomRef, entry: Omit<SecEntry, 'ts' | 'room' | 'label'>): Promise<void> {
    const key = roomKey(room);
    const label = toPlain(await this.roomName(key));
    await this.seclog.append(this.tenant(room), { ...entry, ts: Date.now(), room: key, label });
  }

  /** One inbound event into the relay, from the bot of its platform. */
  private async accept(bot: Bot, event: Inbound): Promise<void> {
    this.metrics.inbound.inc({ platform: bot.platform, kind: event.kind });
    await this.relay.ingest(bot, event);
  }

  private contextFor(bot: Bot, http: FastifyInstance): BotContext {
    const platform = bot.platform;
    const log = this.log.child({ platform });
    return {
      ingest: (event) => this.accept(bot, event),
      ingestInOrder: (event) => this.ordered.submit(event, (ev) => this.accept(bot, ev)),
      inbox: storeInbox(this.store, platform),
      log,
      state: {
        get: (k) => this.store.get(keys.botState(platform, k)),
        set: (k, v) => this.store.set(keys.botState(platform, k), v),
        del: (k) => this.store.del(keys.botState(platform, k)),
      },
      http,
      ...(this.leases.has(platform) ? { leaseHeld: () => this.leases.get(platform)?.held ?? false } : {}),
      publicUrl: this.config.publicUrl,
      commandWord: this.config.commandWord,
      verbs: this.commands.verbs,
      readFile: (id) => this.files.read(id),
      download: this.downloader.download,
    };
  }

  /**
   * Start the queue workers and every bot. A bot that fails to start is logged and retried with
   * back-off (`runner`); the others run.
   */
  async start(): Promise<void> {
    this.files.start();
    const deliverer = new Deliverer(this);
    // Platforms that deliver over their one connection: on Redis, only its lease holder delivers there.
    const bound = new Set(this.store.lease ? [...this.bots.values()].filter((b) => b.connectionBound).map((b) => b.platform) : []);
    await this.queue.start(deliverer.run, {
      onDelivered: (job) => {
        const platform = parseRoomKey(job.target).platform;
        this.metrics.relayed.inc({ platform, op: job.op });
        this.metrics.latency.observe({ platform, op: job.op }, Math.max(0, Date.now() - job.acceptedAt) / 1000);
      },
      onRetry: (job, err, attempt, delayMs) => {
        this.metrics.retried.inc({ platform: parseRoomKey(job.target).platform });
        this.log.warn({ err, target: job.target, attempt, delayMs }, 'delivery failed, will retry');
      },
      onDead: (letter) => {
        const ref = parseRoomKey(letter.job.target);
        this.metrics.dead.inc({ platform: ref.platform });
        this.log.error({ target: letter.job.target, error: letter.error, attempts: letter.attempts }, 'delivery dead-lettered');
        if (letter.job.op !== 'notice') {
          void this.audit(ref, { type: 'dead_letter', actor: 'bridge', detail: `${letter.job.op} not delivered after ${letter.attempts} attempts: ${letter.error.slice(0, 200)}` });
        }
      },
    }, {
      platforms: [...this.bots.keys()],
      holdsConnection: (platform) => (bound.has(platform) ? (this.leases.get(platform)?.held ?? false) : undefined),
    });
    await this.startLeases();
    await this.runner.startAll(this.configured, this.http);
  }

  /**
   * On Redis, each platform's single inbound connection (gateway, long poll, socket) is held by
   * one process under a lease; bots ask `ctx.leaseHeld()` and connect only while it is theirs.
   * A process that dies stops renewing, and another takes over within the lease time.
   */
  private async startLeases(): Promise<void> {
    const makeLease = this.store.lease?.bind(this.store);
    if (!makeLease) return;
    const ttl = this.config.leaseMs;
    for (const { platform } of this.configured) this.leases.set(platform, makeLease(keys.lease(platform), this.config.processId, ttl));
    const tick = async (): Promise<void> => {
      for (const lease of this.leases.values()) {
        try {
          if (!(lease.held && (await lease.renew()))) await lease.acquire();
        } catch (err) {
          lease.token = 0; // cannot prove we hold it: act as if we do not
          this.log.warn({ err }, 'lease renewal failed');
        }
      }
    };
    await tick();
    this.leaseTimer = setInterval(() => void tick(), Math.max(50, Math.floor(ttl / 3)));
    this.leaseTimer.unref();
  }

  /** Stop bots (no new events), drain the queue up to `timeoutMs`, close the store. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    // Every step is bounded: a platform or store that does not answer must not keep us from exiting.
    for (const bot of this.runner.halt().reverse()) {
      await bounded(bot.stop(), timeoutMs, `${bot.platform} stop`).catch((err: unknown) => this.log.warn({ err }, 'bot stop failed'));
    }
    await bounded(this.ordered.stop(), timeoutMs, 'inbound events').catch((err: unknown) => this.log.warn({ err }, 'inbound events still in flight at stop'));
    await bounded(this.queue.stop(timeoutMs), timeoutMs + 1000, 'queue stop').catch((err: unknown) => this.log.warn({ err }, 'queue stop failed'));
    for (const lease of this.leases.values()) await bounded(lease.release(), 1000, 'lease release').catch(() => undefined);
    await bounded(this.http.close(), timeoutMs, 'http close').catch(() => undefined);
    if (this.metricsHttp) await bounded(this.metricsHttp.close(), 1000, 'metrics close').catch(() => undefined);
    this.files.stop();
    await this.downloader.close().catch(() => undefined);
    await bounded(this.store.close(), 2000, 'store close').catch(() => undefined);
  }
}

function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    t.unref();
    work.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(`${what} failed`, { cause: err }));
      },
    );
  });
}
