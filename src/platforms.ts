/**
 * Starts every platform's bot and keeps trying: a bot whose start fails is stopped, reported
 * down with the reason, and started again with back-off (5 s doubling to 5 min) while the
 * others run. `state()` is what `/readyz` and `sameroom_platform_up` show.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { reportsConnection, type Bot, type BotContext } from './bot.js';

export type PlatformState =
  | { readonly state: 'up' }
  /** Another process holds the platform's single connection (Redis leases); this one waits. */
  | { readonly state: 'standby' }
  | { readonly state: 'starting' }
  | { readonly state: 'down'; readonly reason: string };

export interface RunnerOptions {
  readonly log: Logger;
  readonly context: (bot: Bot, http: FastifyInstance) => BotContext;
  /** Whether this process holds the platform's connection lease; undefined without leases. */
  readonly leaseHeld: (platform: string) => boolean | undefined;
  /** A bot started (it takes deliveries) or stopped taking them. */
  readonly onRunning: (bot: Bot, running: boolean) => void;
  /** Removes secrets from a reason before anyone sees it. */
  readonly scrub: (text: string) => string;
  readonly retryMs?: { readonly first: number; readonly max: number };
}

interface Slot {
  readonly bot: Bot;
  readonly http: FastifyInstance;
  started: boolean;
  failures: number;
  reason?: string;
  timer?: NodeJS.Timeout;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
type Handler = (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * The server as a bot sees it: a route it adds again on a later start attempt (when the server
 * already listens and takes no new routes) replaces the handler of the first one.
 */
export function retryableRoutes(http: FastifyInstance): FastifyInstance {
  const handlers = new Map<string, Handler>();
  return new Proxy(http, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !METHODS.has(prop) || typeof value !== 'function') return value;
      return (path: string, ...rest: unknown[]): FastifyInstance => {
        const handler = rest.pop();
        if (typeof handler !== 'function') return Reflect.apply(value, target, [path, ...rest, handler]) as FastifyInstance;
        const key = `${prop} ${path}`;
        const first = !handlers.has(key);
        handlers.set(key, handler as Handler);
        if (!first) return target;
        const dispatch = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply): unknown {
          return (handlers.get(key) as Handler).call(this, req, reply);
        };
        return Reflect.apply(value, target, [path, ...rest, dispatch]) as FastifyInstance;
      };
    },
  });
}

export class PlatformRunner {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {}

  /** First attempt for every bot, in order; failures are retried in the background. */
  async startAll(bots: Iterable<Bot>, http: FastifyInstance): Promise<void> {
    for (const bot of bots) {
      const slot: Slot = { bot, http: retryableRoutes(http), started: false, failures: 0 };
      this.slots.set(bot.platform, slot);
      await this.attempt(slot);
    }
  }

  state(platform: string): PlatformState | undefined {
    const slot = this.slots.get(platform);
    if (!slot) return undefined;
    if (!slot.started) return slot.reason ? { state: 'down', reason: slot.reason } : { state: 'starting' };
    if (!reportsConnection(slot.bot)) return { state: 'up' };
    const c = slot.bot.connection();
    if (c.up) return { state: 'up' };
    if (this.opts.leaseHeld(platform) === false) return { state: 'standby' };
    return { state: 'down', reason: this.opts.scrub(c.reason).slice(0, 300) };
  }

  states(): Record<string, PlatformState> {
    const out: Record<string, PlatformState> = {};
    for (const platform of this.slots.keys()) out[platform] = this.state(platform) as PlatformState;
    return out;
  }

  /** Stop retrying; returns the bots that are started, to be stopped by the caller. */
  halt(): Bot[] {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    return [...this.slots.values()].filter((s) => s.started).map((s) => s.bot);
  }

  private async attempt(slot: Slot): Promise<void> {
    const { bot } = slot;
    try {
      await bot.start(this.opts.context(bot, slot.http));
      if (this.stopped) {
        await bot.stop().catch(() => undefined);
        return;
      }
      slot.started = true;
      delete slot.reason;
      if (slot.failures > 0) this.opts.log.info({ platform: bot.platform, attempts: slot.failures + 1 }, 'platform started after earlier failures');
      slot.failures = 0;
      this.opts.onRunning(bot, true);
    } catch (err) {
      slot.reason = this.opts.scrub(err instanceof Error ? err.message : 'start failed').slice(0, 300);
      const { first, max } = this.opts.retryMs ?? { first: 5000, max: 300_000 };
      const retryInMs = Math.min(first * 2 ** slot.failures, max);
      slot.failures++;
      this.opts.onRunning(bot, false);
      // The whole error once; later failures of the same platform in one line each.
      if (slot.failures === 1) this.opts.log.error({ err, platform: bot.platform, retryInMs }, 'platform failed to start; retrying');
      else this.opts.log.warn({ platform: bot.platform, reason: slot.reason, attempt: slot.failures, retryInMs }, 'platform failed to start again; retrying');
      // Whatever the failed start opened (sockets, timers) is closed before the next try.
      await bot.stop().catch(() => undefined);
      if (this.stopped) return;
      slot.timer = setTimeout(() => void this.attempt(slot), retryInMs);
      slot.timer.unref();
    }
  }
}
