/** Shared setup for the Mattermost bot tests: a fake server, a harness and a started bot. */
import { createMattermostBot, type MattermostBot, type MattermostConfig } from '../../bots/mattermost/index.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import type { Channel, User } from '../fakes/mattermost/model.js';
import { FakeMattermost } from '../fakes/mattermost/server.js';

export interface MattermostRig {
  readonly fake: FakeMattermost;
  readonly h: Harness;
  readonly bot: MattermostBot;
  readonly alice: User;
  readonly town: Channel;
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

export async function startRig(config: Partial<MattermostConfig> = {}): Promise<MattermostRig> {
  const fake = await new FakeMattermost().start();
  const alice = fake.addUser('alice', { first_name: 'Alice', last_name: 'Liddell' });
  const town = fake.addChannel('town-square', [alice]);
  const h = createHarness();
  const bot = createMattermostBot({ url: fake.url, token: fake.botToken, retryMs: 10, ...config });
  await bot.start(h.ctx);
  await until(() => fake.hub.authenticated === 1, 'the websocket to authenticate');
  return {
    fake,
    h,
    bot,
    alice,
    town,
    close: async () => {
      await h.close(bot);
      await fake.close();
    },
  };
}
