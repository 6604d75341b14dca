/**
 * A BotContext for testing one bot on its own: captures what the bot ingests, keeps its state
 * in memory, and gives it a real Fastify server on a free port for webhooks.
 */
import { createCommandRunner } from '../../commands/index.js';
import { OrderedIngest } from '../../src/ordered-ingest.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Bot, BotContext, BotState } from '../../src/bot.js';
import type { Inbound } from '../../src/model.js';

export interface Harness {
  readonly ctx: BotContext;
  readonly http: FastifyInstance;
  /** Everything the bot ingested, in order. */
  readonly events: Inbound[];
  readonly state: Map<string, string>;
  readonly files: Map<string, Uint8Array>;
  /** Base URL of the HTTP server once `listen()` ran. */
  url(): string;
  listen(): Promise<string>;
  /** Wait until `pred` holds for some ingested event; returns it. */
  waitFor<T extends Inbound>(pred: (e: Inbound) => e is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (e: Inbound) => boolean, timeoutMs?: number): Promise<Inbound>;
  close(bot?: Bot): Promise<void>;
}

export function createHarness(opts: { commandWord?: string; publicUrl?: string; /** make the core refuse these events (a failing store) */ failIngest?: (e: Inbound) => boolean } = {}): Harness {
  const http = Fastify();
  const events: Inbound[] = [];
  const stateMap = new Map<string, string>();
  const files = new Map<string, Uint8Array>();
  const waiters = new Set<() => void>();
  let base = opts.publicUrl ?? '';
  const state: BotState = {
    get: async (k) => stateMap.get(k) ?? null,
    set: async (k, v) => {
      stateMap.set(k, v);
    },
    del: async (k) => {
      stateMap.delete(k);
    },
  };
  const ingest = async (e: Inbound): Promise<void> => {
    if (opts.failIngest?.(e)) throw new Error('the core could not accept the event');
    events.push(e);
    for (const w of waiters) w();
  };
  const ordered = new OrderedIngest(pino({ level: 'silent' }), { baseDelayMs: 10, maxDelayMs: 50 });
  const ctx: BotContext = {
    ingest,
    ingestInOrder: (e) => ordered.submit(e, ingest),
    log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    state,
    http,
    get publicUrl() {
      return base;
    },
    commandWord: opts.commandWord ?? 'sameroom',
    verbs: createCommandRunner().verbs,
    readFile: async (id) => files.get(id) ?? null,
  };
  const waitFor = (pred: (e: Inbound) => boolean, timeoutMs = 10_000): Promise<Inbound> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = events.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.kind, e.id]))}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  return {
    ctx,
    http,
    events,
    state: stateMap,
    files,
    url: () => base,
    listen: async () => {
      const addr = await http.listen({ port: 0, host: '127.0.0.1' });
      if (!opts.publicUrl) base = addr;
      return addr;
    },
    waitFor: waitFor as Harness['waitFor'],
    close: async (bot) => {
      await bot?.stop();
      await http.close();
    },
  };
}
