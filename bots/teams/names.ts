/**
 * Human names of rooms (`#Engineering in Contoso`), for the messages that tell both sides of a
 * new tube who they are linked with. Channel and team names come from the connector's teams API;
 * chats use what their conversation reference recorded.
 */
import { TeamsInfo } from 'botbuilder';
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
    await deps.adapter.continueConversationAsync(deps.appId, ref, async (context) => {
      const [team, channels] = await Promise.all([TeamsInfo.getTeamDetails(context, teamId), TeamsInfo.getTeamChannels(context, teamId)]);
      // The General channel has the team's id and no name in the channel list.
      const channel = channels.find((c) => c.id === room.channel)?.name || (room.channel === teamId ? 'General' : undefined);
      name = `#${channel ?? 'channel'}${team.name ? ` in ${team.name}` : ''}`;
    });
  } catch (err) {
    // A name is a courtesy: without the teams API (permissions, outage) the generic one will do.
    onError(err);
  }
  return name;
}
