/** Shared setup for the Mattermost bot tests: a fake server, a harness and a started bot. */
import { createMattermostBot, type MattermostBot, type MattermostConfig } from '../../bots/mattermost/index.js';
import type { Channel, User } from '../fakes/mattermost/model.js';
import { FakeMattermost } from '../fakes/mattermost/server.js';
import { startBotRig, type BotRig } from './shared-rig.js';

export { until } from './shared-rig.js';

export interface MattermostRig extends BotRig<FakeMattermost, MattermostBot> {
  readonly alice: User;
  readonly town: Channel;
}

export async function startRig(config: Partial<MattermostConfig> = {}): Promise<MattermostRig> {
  const fake = await new FakeMattermost().start();
  const alice = fake.addUser('alice', { first_name: 'Alice', last_name: 'Liddell' });
  const town = fake.addChannel('town-square', [alice]);
  const bot = createMattermostBot({ url: fake.url, token: fake.botToken, retryMs: 10, ...config });
  const rig = await startBotRig(fake, bot, { ready: () => fake.hub.authenticated === 1, what: 'the websocket to authenticate' });
  return { ...rig, alice, town };
}
