/** Shared setup for the Matrix bot tests: a fake homeserver, a harness and a started bot. */
import { createMatrixBot, type MatrixBot, type MatrixConfig } from '../../bots/matrix/index.js';
import { SINCE_KEY } from '../../bots/matrix/sync.js';
import type { BotContext } from '../../src/bot.js';
import type { Harness } from '../helpers/bot-harness.js';
import { FakeMatrix } from '../fakes/matrix/server.js';
import { startBotRig, type BotRig } from '../mattermost/shared-rig.js';

export { until } from '../mattermost/shared-rig.js';

export const ROOM = '!general:fake.test';
export const ALICE = '@alice:fake.test';
export const BOB = '@bob:other.test';

export type MatrixRig = BotRig<FakeMatrix, MatrixBot>;

export async function startRig(
  opts: { config?: Partial<MatrixConfig>; ctx?: (ctx: BotContext) => BotContext; fake?: FakeMatrix; harness?: Harness } = {},
): Promise<MatrixRig> {
  const fake = opts.fake ?? (await new FakeMatrix().start());
  if (!opts.fake) {
    fake.addUser(ALICE, 'Alice');
    fake.addUser(BOB, 'Bob');
    fake.createRoom(ROOM, [ALICE], { name: 'General' });
  }
  const bot = createMatrixBot({ homeserverUrl: fake.url, accessToken: fake.botToken, syncTimeoutMs: 2000, retryMs: 10, ...opts.config });
  return startBotRig(fake, bot, { ready: (h) => h.state.has(SINCE_KEY), what: 'the first sync', harness: opts.harness, ctx: opts.ctx });
}
