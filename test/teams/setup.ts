/** Starts a Teams bot on a test harness, wired to a fake Bot Framework connector. */
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { createTeamsBot, type TeamsBot } from '../../bots/teams/index.js';
import { FakeTeams, teamsUser, type TeamsUser } from '../fakes/teams/teams.js';

export interface TeamsRig {
  readonly fake: FakeTeams;
  readonly h: Harness;
  readonly bot: TeamsBot;
  readonly alice: TeamsUser;
  close(): Promise<void>;
}

export const APP_ID = '00000000-1111-4222-8333-444444444444';

/**
 * A bot with no app id (TEAMS_ALLOW_UNAUTHENTICATED) unless `appId` is given; `state` seeds the
 * bot's persistent state (a "restart": a new bot instance with the same state).
 */
export async function startRig(opts: { appId?: string; state?: ReadonlyMap<string, string>; fake?: FakeTeams } = {}): Promise<TeamsRig> {
  const fake = opts.fake ?? (await FakeTeams.start({ appId: opts.appId ?? '' }));
  const h = createHarness();
  for (const [k, v] of opts.state ?? []) h.state.set(k, v);
  const bot = createTeamsBot(
    opts.appId
      ? { appId: opts.appId, appPassword: 'not-a-real-secret', openIdMetadataUrl: fake.connector.openIdMetadataUrl, fileHosts: [fake.connector.url] }
      : { appId: '', allowUnauthenticated: true, fileHosts: [fake.connector.url] },
  );
  await bot.start(h.ctx);
  const url = await h.listen();
  fake.botEndpoint = `${url}/api/messages`;
  return {
    fake,
    h,
    bot,
    alice: teamsUser('Alice Example'),
    close: async () => {
      await h.close(bot);
      if (!opts.fake) await fake.close();
    },
  };
}
