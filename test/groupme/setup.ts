/**
 * Test rig: the fake GroupMe plus the GroupMe bot on a harness whose HTTP server listens on a
 * known port, so the callback URLs the bot registers (PUBLIC_URL/groupme/…) are reachable by
 * the fake before and after a restart.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { BotContext } from '../../src/bot.js';
import { createGroupMeBot, type GroupMeBot, type GroupMeConfig } from '../../bots/groupme/index.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import type { FakeGroupMe } from '../fakes/groupme/server.js';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface Bridge {
  readonly harness: Harness;
  readonly bot: GroupMeBot;
  readonly port: number;
  readonly publicUrl: string;
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** Reuse a port (a restart keeps PUBLIC_URL). */
  readonly port?: number;
  /** Bot state to start from (a restart keeps it; a lost state starts empty). */
  readonly state?: ReadonlyMap<string, string>;
  readonly config?: Partial<GroupMeConfig>;
  /** The durable inbox (a restart keeps it). */
  readonly inbox?: Map<string, string>;
  /** Change the context the bot gets (e.g. a blocking ingest). */
  readonly ctx?: (ctx: BotContext) => BotContext;
}

export async function startBridge(fake: FakeGroupMe, opts: BridgeOptions = {}): Promise<Bridge> {
  const port = opts.port ?? (await freePort());
  const publicUrl = `http://127.0.0.1:${port}`;
  const harness = createHarness({ publicUrl, ...(opts.inbox ? { inbox: opts.inbox } : {}) });
  for (const [k, v] of opts.state ?? []) harness.state.set(k, v);
  const bot = createGroupMeBot({
    accessToken: fake.token,
    apiUrl: fake.apiUrl,
    imageUrl: fake.imageUrl,
    echoWaitMs: 10_000,
    ...opts.config,
  });
  try {
    await bot.start(opts.ctx ? opts.ctx(harness.ctx) : harness.ctx);
    await harness.http.listen({ port, host: '127.0.0.1' });
  } catch (err) {
    await harness.close(bot);
    throw err;
  }
  return { harness, bot, port, publicUrl, close: () => harness.close(bot) };
}

/** The callback path of the bot in a group, from the fake's view. */
export function callbackOf(fake: FakeGroupMe, groupId: string): string {
  const [bot] = fake.botsIn(groupId);
  if (!bot?.callback_url) throw new Error(`no bot with a callback in group ${groupId}`);
  return bot.callback_url;
}

export const alice = { id: '101', name: 'Alice', avatarUrl: 'https://i.groupme.com/60x60.png.alice' };
export const bob = { id: '102', name: 'Bob' };
