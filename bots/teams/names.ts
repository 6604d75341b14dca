/**
 * Human names of rooms (`#Engineering in Contoso`), for the messages that tell both sides of a
 * new tube who they are linked with. Channel and team names come from the connector's teams API;
 * chats use what their conversation reference recorded.
 */
import type { ChannelInfo, TeamDetails } from '@microsoft/agents-hosting-extensions-teams';
import type { RoomRef } from '../../src/model.js';
import type { OutboundDeps } from './outbound.js';

export async function roomName(deps: OutboundDeps, room: RoomRef, onError: (err: unknown) => void): Promise<string> {
  const ref = await deps.refs.get(room);
  const conv = ref?.conversation;
  if (!ref || !conv) return 'a Teams conversation';
  if (conv.conversationType === 'personal') return ref.user?.name ? `a Teams chat with ${ref.user.name}` : 'a Teams chat';
  if (conv.conversationType !== 'channel') return conv.name ? `${conv.name} (Teams group chat)` : 'a Teams group chat';
  const teamId = room.workspace;
  if (!teamId) return 'a Teams channel';
  let name = 'a Teams channel';
  try {
    // The connector's teams API (what the Teams extension's TeamsInfo calls, without a turn).
    const http = (await deps.connector(ref.serviceUrl)).httpClient;
    const path = `v3/teams/${encodeURIComponent(teamId)}`;
    const [{ data: team }, { data: list }] = await Promise.all([
      http.get<TeamDetails>(path),
      http.get<{ conversations?: ChannelInfo[] }>(`${path}/conversations`),
    ]);
    const channels = list.conversations ?? [];
    // The General channel has the team's id and no name in the channel list.
    const channel = channels.find((c) => c.id === room.channel)?.name || (room.channel === teamId ? 'General' : undefined);
    name = `#${channel ?? 'channel'}${team.name ? ` in ${team.name}` : ''}`;
  } catch (err) {
    // A name is a courtesy: without the teams API (permissions, outage) the generic one will do.
    onError(err);
  }
  return name;
}
