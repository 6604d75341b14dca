/**
 * Microsoft Teams bot (Bot Framework connector protocol, Microsoft 365 Agents SDK).
 *
 * Inbound: Teams POSTs activities to `POST /api/messages`; with an app id each must carry a JWT
 * signed by Bot Framework (auth.ts). Outbound: every copy is a proactive message through the
 * room's stored conversation reference, with the SDK's connector client and token provider.
 */
import type { Activity } from '@microsoft/agents-activity';
import type { BotContext, DeletingBot, EditingBot, NamingBot, WorkspaceBot } from '../../src/bot.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { checkTeamsConfig, type TeamsConfig } from './config.js';
import { FILE_HOSTS, toInbound } from './inbound.js';
import { roomName } from './names.js';
import { deleteMessage, editMessage, postMessage, type OutboundDeps } from './outbound.js';
import { BoundedMap, ConversationRefs, PLATFORM, splitConversationId } from './rooms.js';
import { createRequestVerifier } from './auth.js';
import { botTokens, connectorFactory, registerEndpoint, type ConnectorFactory, type TokenSource } from './transport.js';

export { teamsConfigFromEnv, TeamsConfigError, type TeamsConfig } from './config.js';

export const teamsCapabilities: Capabilities = {
  // Teams takes ~28 KB per activity; the bot also splits by rendered byte size (outbound.ts).
  maxTextLength: 28_000,
  // Files are posted as links to the bridge's copy: bots cannot upload into channels/group chats.
  maxFileBytes: 0,
  impersonate: false,
  // Channel copies reply in the thread (replyToId); chats show replies as plain messages.
  replies: true,
};

export type TeamsBot = EditingBot & DeletingBot & NamingBot & WorkspaceBot;

export function createTeamsBot(config: TeamsConfig): TeamsBot {
  let ctx: BotContext | undefined;
  let tokens: TokenSource | undefined;
  let connector: ConnectorFactory | undefined;
  let refs: ConversationRefs | undefined;
  let running = false;
  const roots = new BoundedMap<string>(20_000);
  const own = new BoundedMap<true>(20_000);

  const deps = (): OutboundDeps => {
    if (!connector || !refs || !running) throw new Error('teams bot is not started');
    return { connector, refs, roots, own };
  };

  const onActivity = async (activity: Activity): Promise<void> => {
    if (!ctx || !refs || !tokens) return;
    const download = ctx.download;
    try {
      const room = await refs.remember(activity);
      if (!room) return;
      const { root } = splitConversationId(activity.conversation?.id ?? '');
      if (root && activity.id && root !== activity.id) roots.set(activity.id, root);
      const event = toInbound(activity, {
        room,
        appId: config.appId,
        commandWord: ctx.commandWord,
        verbs: ctx.verbs,
        isOwn: (id) => own.has(id),
        token: tokens,
        fetchFile: (url, headers) => download(url, { hosts: FILE_HOSTS, configured: config.fileHosts ?? [], headers }),
      });
      if (event) await ctx.ingest(event);
    } catch (err) {
      ctx.log.error({ err, activityType: activity.type }, 'teams: inbound activity failed');
      throw err;
    }
  };

  const bot = {
    platform: PLATFORM,
    capabilities: teamsCapabilities,
    /** A channel's tenant is its team, a group chat's its Microsoft 365 tenant; a 1:1 chat (`a:…`) is its own. */
    tenantWorkspace: (room: RoomRef): string | undefined => (room.channel.startsWith('a:') ? undefined : room.workspace),

    async start(context: BotContext): Promise<void> {
      for (const warning of checkTeamsConfig(config)) context.log.warn(warning);
      ctx = context;
      refs = new ConversationRefs(context.state);
      tokens = botTokens(config);
      connector = connectorFactory(tokens);
      registerEndpoint(context.http, {
        path: config.endpointPath ?? '/api/messages',
        verify: config.appId ? createRequestVerifier(config.appId, config.openIdMetadataUrl) : undefined,
        onActivity,
        running: () => running,
        log: context.log,
      });
      running = true;
    },

    async stop(): Promise<void> {
      running = false;
    },

    async send(post: OutboundPost): Promise<RemoteMessageId[]> {
      return postMessage(deps(), post.room, post.text, post.attachments, post.replyTo);
    },

    async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
      return postMessage(deps(), room, text, [], replyTo);
    },

    async edit(edit: OutboundEdit): Promise<void> {
      await editMessage(deps(), edit.room, edit.id, edit.text);
    },

    async delete(del: OutboundDelete): Promise<void> {
      await deleteMessage(deps(), del.room, del.id);
    },

    async roomName(room: RoomRef): Promise<string> {
      return roomName(deps(), room, (err) => ctx?.log.warn({ err }, 'teams: could not read the team and channel names'));
    },
  } satisfies TeamsBot;
  return bot;
}
