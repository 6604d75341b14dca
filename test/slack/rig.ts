/**
 * One Slack bot (real Bolt) against the fake, in either transport, with a seeded workspace:
 * users U1 Alice / U2 Bob, channels C1 #general (public), G1 #secret (private), D1 (DM with
 * Alice), M1 (group DM). `event()` delivers an event the way the transport does.
 */
import type { SlashCommand } from '@slack/bolt';
import type { SlackEvent } from '@slack/types';
import { expect } from 'vitest';
import { createSlackBot, type SlackBot, type SlackConfig } from '../../bots/slack/index.js';
import type { BotContext } from '../../src/bot.js';
import type { Inbound } from '../../src/model.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { FakeSlack, type DeliveryOptions } from '../fakes/slack/index.js';

export type Mode = 'http' | 'socket';
export const MODES: readonly Mode[] = ['http', 'socket'];

export interface Rig {
  readonly mode: Mode;
  readonly fake: FakeSlack;
  readonly harness: Harness;
  readonly bot: SlackBot;
  /** Deliver one event in an envelope (HTTP: signed POST, must get 200; Socket Mode: must be acked). */
  event(event: SlackEvent, opts?: { eventId?: string; retry?: number }): Promise<void>;
  /** Deliver a slash command (HTTP: POST /slack/commands; Socket Mode: slash_commands envelope). */
  command(cmd: SlashCommand): Promise<void>;
  /** The next ingested event that satisfies pred. */
  next(pred: (e: Inbound) => boolean): Promise<Inbound>;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly sharesInComplete?: boolean;
  /** Replace parts of the BotContext (e.g. a blocking ingest). */
  readonly ctx?: (base: BotContext) => BotContext;
  readonly config?: Partial<SlackConfig>;
}

export function seed(fake: FakeSlack): void {
  fake.addUser({ id: 'U1', name: 'alice', displayName: 'Alice', realName: 'Alice Liddell', avatarUrl: 'https://avatars.example/alice.png' });
  fake.addUser({ id: 'U2', name: 'bob', realName: 'Bob Dobbs' });
  fake.addChannel('C1', 'channel', 'general');
  fake.addChannel('G1', 'group', 'secret');
  fake.addChannel('D1', 'im', undefined, 'U1');
  fake.addChannel('M1', 'mpim', 'mpdm-alice--bob-1');
}

export async function startRig(mode: Mode, opts: RigOptions = {}): Promise<Rig> {
  const fake = await FakeSlack.start({ sharesInComplete: opts.sharesInComplete ?? false });
  seed(fake);
  const harness = createHarness();
  const bot = createSlackBot({
    botToken: fake.botToken,
    apiUrl: fake.apiUrl,
    ...(mode === 'http' ? { signingSecret: fake.signingSecret } : { appToken: fake.appToken, autoReconnect: false }),
    ...opts.config,
  });
  const ctx = opts.ctx ? opts.ctx(harness.ctx) : harness.ctx;
  try {
    await bot.start(ctx);
    await harness.listen();
  } catch (err) {
    await harness.close(bot).catch(() => undefined);
    await fake.close();
    throw err;
  }
  const seen = new Set<Inbound>();

  return {
    mode,
    fake,
    harness,
    bot,
    async event(event, o = {}) {
      const envelope = fake.events.envelope(event, o.eventId);
      if (mode === 'http') {
        const delivery: DeliveryOptions = o.retry ? { retryNum: o.retry } : {};
        const res = await fake.postEvent(`${harness.url()}/slack/events`, envelope, delivery);
        expect(res.status).toBe(200);
      } else {
        const ack = await fake.sendEnvelope('events_api', envelope, o.retry ? { retryAttempt: o.retry } : {});
        expect(ack.envelope_id).toBeTruthy();
      }
    },
    async command(cmd) {
      if (mode === 'http') {
        const res = await fake.postCommand(`${harness.url()}/slack/commands`, cmd);
        expect(res.status).toBe(200);
      } else {
        await fake.sendEnvelope('slash_commands', cmd);
      }
    },
    async next(pred) {
      const hit = await harness.waitFor((e) => !seen.has(e) && pred(e));
      seen.add(hit);
      return hit;
    },
    async close() {
      await harness.close(bot);
      await fake.close();
    },
  };
}
