/**
 * Who administers a Slack room: a workspace admin or owner (`users.info`: is_admin, is_owner,
 * is_primary_owner), or the channel's creator (`conversations.info`: creator); in a DM with the
 * bot, the person. Private answers are ephemeral messages (`chat.postEphemeral`): only the
 * asker sees them, and Slack does not keep them.
 */
import type { WebClient } from '@slack/web-api';
import { canonicalToMrkdwn } from './format.js';
import { call } from './errors.js';

export const SLACK_ADMINS_ARE = "on Slack, the workspace's admins and owners, and the channel's creator";

export async function isSlackAdmin(client: WebClient, channel: string, userId: string): Promise<boolean> {
  const [u, c] = await Promise.all([
    call('users.info', () => client.users.info({ user: userId })),
    call('conversations.info', () => client.conversations.info({ channel })),
  ]);
  if (c.channel?.is_im) return true;
  if (u.user?.is_admin || u.user?.is_owner || u.user?.is_primary_owner) return true;
  return c.channel?.creator !== undefined && c.channel.creator === userId;
}

/** Shown to `userId` only; false when Slack refuses (e.g. the person is not in the channel). */
export async function sayEphemeral(client: WebClient, channel: string, userId: string, text: string): Promise<boolean> {
  try {
    await call('chat.postEphemeral', () => client.chat.postEphemeral({ channel, user: userId, text: canonicalToMrkdwn(text) }));
    return true;
  } catch {
    return false;
  }
}
