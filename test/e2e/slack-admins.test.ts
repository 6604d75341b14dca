/** Slack admins through the real Bolt app and the fake Slack Web API: who may, and private admin links. */
import { describe, expect, it } from 'vitest';
import { createSlackBot } from '../../bots/slack/index.js';
import { FakeSlack } from '../fakes/slack/index.js';
import type { StoreKind } from '../helpers/bridge-harness.js';
import { seed } from '../slack/rig.js';
import { useRig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

describe.each<StoreKind>(['embedded', 'redis'])('Slack admins (%s)', (store) => {
  it('refuses members, lets workspace admins and the channel creator, and gives the admin link as an ephemeral message', async () => {
    const f = rig.own(await FakeSlack.start({ sharesInComplete: false }));
    seed(f);
    f.addUser({ id: 'U3', name: 'ada', isAdmin: true });
    f.addUser({ id: 'U4', name: 'cy' });
    f.state.channels.set('C2', { id: 'C2', kind: 'channel', name: 'support', creator: 'U4' });
    const bot = createSlackBot({ botToken: f.botToken, apiUrl: f.apiUrl, signingSecret: f.signingSecret });
    const { tb, other } = await rig.lobby(bot, { store });
    const say = async (channel: string, user: string, text: string): Promise<void> => {
      const res = await f.postEvent(`${tb.url}/slack/events`, f.events.envelope(f.events.message({ channel, user, text })));
      expect(res.status).toBe(200);
    };
    const posted = (channel: string): string[] => f.posts.filter((p) => p.channel === channel).map((p) => p.text);
    const answered = (channel: string, re: RegExp): Promise<void> => waitFor(() => posted(channel).some((t) => re.test(t)), 10_000, `${re} in ${channel}`);

    await say('C1', 'U2', '-sameroom log on');
    await answered('C1', /Only an admin of this room can use `-sameroom log`: on Slack, the workspace's admins and owners, and the channel's creator\./);
    await say('C1', 'U3', '-sameroom log on');
    await answered('C1', /now receives its security log/);
    await say('C2', 'U4', '-sameroom direction in');
    await answered('C2', /now only receives/);
    await say('C2', 'U2', '-sameroom direction both');
    await answered('C2', /Only an admin of this room can use `-sameroom direction`/);
    // The workspace is the tenant: C2's events reach C1's log, without another tenant's ids.
    await answered('C1', /🔒 .* direction in #support on Acme \(Slack\) by slack:U4 \(cy\): in/);

    // The admin link: ephemeral, to the admin alone; nothing of it in the channel.
    await say('C1', 'U3', '-sameroom portal');
    await answered('C1', /I sent you its admin link as a message only you can see\./);
    expect(f.state.ephemerals).toEqual([expect.objectContaining({ channel: 'C1', user: 'U3', text: expect.stringMatching(/admin=/) })]);
    expect(posted('C1').join('\n')).not.toMatch(/admin=|\/connect\//);
    // In a DM with the bot, the person is its admin.
    await say('D1', 'U1', '-sameroom direction out');
    await answered('D1', /now only sends/);
    void other;
  });
});
