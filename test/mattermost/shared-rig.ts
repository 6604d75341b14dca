/**
 * Rig code shared by the Mattermost, Rocket.Chat and Matrix bot tests (imported by all three
 * folders' setup and test files): start a bot against a fake server, poll for state the bot
 * reaches asynchronously, build outbound posts, and catch the DeliveryError a call rejects with.
 */
import { expect } from 'vitest';
import type { Bot, BotContext, ReportingBot } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import type { OutboundPost, RoomKey, RoomRef } from '../../src/model.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';

export interface FakeServer {
  close(): Promise<void>;
}

/** A started bot, its harness and the fake server it talks to; `close` stops all three. */
export interface BotRig<F extends FakeServer, B extends Bot> {
  readonly fake: F;
  readonly h: Harness;
  readonly bot: B;
  close(): Promise<void>;
}

/** Poll until `pred` holds (fails after 10 s). For state the bot reaches asynchronously. */
export async function until(pred: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A socket bot reports up once its session is established, then down with the reason when `drop` cuts the link. */
export async function expectLinkStateReported(bot: ReportingBot, drop: () => void): Promise<void> {
  await until(() => bot.connection().up, 'the connection to be up');
  drop();
  await until(() => !bot.connection().up, 'the connection to be down');
  expect(bot.connection()).toEqual({ up: false, reason: 'connection lost; reconnecting' });
}

export interface StartOptions {
  /** When the bot is ready for the test: its feed is connected/subscribed/synced. */
  readonly ready: (h: Harness) => boolean;
  readonly what: string;
  readonly harness?: Harness;
  /** Wrap the harness context the bot is started with. */
  readonly ctx?: (ctx: BotContext) => BotContext;
}

/** Start `bot` against `fake` with a (new) harness and wait until it is ready. */
export async function startBotRig<F extends FakeServer, B extends Bot>(fake: F, bot: B, opts: StartOptions): Promise<BotRig<F, B>> {
  const h = opts.harness ?? createHarness();
  await bot.start(opts.ctx ? opts.ctx(h.ctx) : h.ctx);
  await until(() => opts.ready(h), opts.what);
  return {
    fake,
    h,
    bot,
    close: async () => {
      await h.close(bot);
      await fake.close();
    },
  };
}

/** Run `fn` with a bot that is not started yet and a fresh harness; closes both and the fake after. */
export async function withBot<B extends Bot>(fake: FakeServer, bot: B, fn: (bot: B, h: Harness) => Promise<void>): Promise<void> {
  const h = createHarness();
  try {
    await fn(bot, h);
  } finally {
    await h.close(bot);
    await fake.close();
  }
}

/** An outbound post from Ann on Slack to `room`, with a fresh idempotency key unless `over` sets one. */
export function outboundPost(room: RoomRef, over: Partial<OutboundPost> = {}): OutboundPost {
  return {
    room,
    author: { id: 'U1', name: 'Ann Smith', avatarUrl: 'https://img.example/ann.png' },
    text: 'hello',
    attachments: [],
    origin: 'slack:T1:C1' as RoomKey,
    idempotencyKey: `job-${Math.random().toString(36).slice(2)}`,
    ...over,
  };
}

/** The DeliveryError `p` rejects with (fails the test when it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}
