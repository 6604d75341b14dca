/** Shared setup for the Rocket.Chat bot tests: a fake server, a harness and a started bot. */
import { createRocketChatBot, type RocketChatBot, type RocketChatConfig } from '../../bots/rocketchat/index.js';
import type { RcRoom, RcUser } from '../fakes/rocketchat/model.js';
import { FakeRocketChat } from '../fakes/rocketchat/server.js';
import { startBotRig, type BotRig } from '../mattermost/shared-rig.js';

export { until } from '../mattermost/shared-rig.js';

export interface RocketRig extends BotRig<FakeRocketChat, RocketChatBot> {
  readonly alice: RcUser;
  readonly general: RcRoom;
}

export async function startRig(config: Partial<RocketChatConfig> = {}, prepare?: (fake: FakeRocketChat) => void): Promise<RocketRig> {
  const fake = await new FakeRocketChat().start();
  const alice = fake.model.addUser('alice', 'Alice Adams');
  const general = fake.model.addRoom('general', [alice, fake.bot]);
  prepare?.(fake);
  const bot = createRocketChatBot({ url: fake.url, userId: fake.bot._id, authToken: fake.bot.token, retryMs: 10, ...config });
  const rig = await startBotRig(fake, bot, {
    ready: () => fake.ddp.listening === 1 && fake.ddp.deleteSubs(general._id) === 1,
    what: 'the realtime subscriptions',
  });
  return { ...rig, alice, general };
}
