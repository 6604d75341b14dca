/** Shared setup for the Matrix bot tests: a fake homeserver, a harness and a started bot. */
import { createMatrixBot, type MatrixBot, type MatrixConfig } from '../../bots/matrix/index.js';
import { SINCE_KEY } from '../../bots/matrix/sync.js';
import type { BotContext } from '../../src/bot.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { FakeMatrix } from '../fakes/matrix/server.js';

export const ROOM = '!general:fake.test';
export const ALICE = '@alice:fake.test';
export const BOB = '@bob:other.test';

export interface MatrixRig {
  readonly fake: FakeMatrix;
  readonly h: Harness;
  readonly bot: MatrixBot;
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

export async function startRig(
  opts: { config?: Partial<MatrixConfig>; ctx?: (ctx: BotContext) => BotContext; fake?: FakeMatrix; harness?: Harness } = {},
): Promise<MatrixRig> {
  const fake = opts.fake ?? (await new FakeMatrix().start());
  if (!opts.fake) {
    fake.addUser(ALICE, 'Alice');
    fake.addUser(BOB, 'Bob');
    fake.createRoom(ROOM, [ALICE], { name: 'General' });
  }
  const h = opts.harness ?? createHarness();
  const bot = createMatrixBot({ homeserverUrl: fake.url, accessToken: fake.botToken, syncTimeoutMs: 2000, retryMs: 10, ...opts.config });
  await bot.start(opts.ctx ? opts.ctx(h.ctx) : h.ctx);
  await until(() => h.state.has(SINCE_KEY), 'the first sync');
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
