/** Shared setup for the Rocket.Chat bot tests: a fake server, a harness and a started bot. */
import { createRocketChatBot, type RocketChatBot, type RocketChatConfig } from '../../bots/rocketchat/index.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import type { RcRoom, RcUser } from '../fakes/rocketchat/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';

export interface RocketRig {
  readonly fake: FakeRocketChat;
  readonly h: Harness;
  readonly bot: RocketChatBot;
  readonly alice: RcUser;
  readonly general: RcRoom;
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

export async function startRig(config: Partial<RocketChatConfig> = {}, prepare?: (fake: FakeRocketChat) => void): Promise<RocketRig> {
  const fake = await new FakeRocketChat().start();
  const alice = fake.model.addUser('alice', 'Alice Adams');
  const general = fake.model.addRoom('general', [alice, fake.bot]);
  prepare?.(fake);
  const h = createHarness();
  const bot = createRocketChatBot({ url: fake.url, userId: fake.bot._id, authToken: fake.bot.token, retryMs: 10, ...config });
  await bot.start(h.ctx);
  await until(() => fake.ddp.listening === 1 && fake.ddp.deleteSubs(general._id) === 1, 'the realtime subscriptions');
  return {
    fake,
    h,
    bot,
    alice,
    general,
    close: async () => {
      await h.close(bot);
      await fake.close();
    },
  };
}
