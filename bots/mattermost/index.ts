/**
 * Mattermost bot: a bot account with an access token. Reads over the WebSocket API, writes with
 * REST v4, posts copies under the real author's name with override props. Lifecycle here; see
 * socket.ts (inbound transport), inbound.ts, outbound.ts, format.ts.
 */
import type { MattermostConfig } from './config.js';
import type { Bot, BotContext, ConnectionState, DeletingBot, EditingBot, NamingBot, ReportingBot, WorkspaceBot } from '../../src/bot.js';
import type { Author, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { MattermostClient } from './client.js';
import { displayName, toInbound, type InboundDeps } from './inbound.js';
import { MAX_RUNES, MattermostOutbound } from './outbound.js';
import { MattermostSocket } from './socket.js';
import { str, type MmChannel, type MmFileInfo, type MmPost, type MmTeam, type MmUser } from './types.js';

export { mattermostConfigFromEnv, type MattermostConfig } from './config.js';


export type MattermostBot = Bot & EditingBot & DeletingBot & NamingBot & ReportingBot & WorkspaceBot;

/**
 * The client config tells the upload limit, and whether the server honours override props:
 * without them copies show the bot's name, which the admin should hear about.
 */
async function readServerLimits(client: MattermostClient, c: BotContext, config: MattermostConfig, caps: { maxFileBytes: number }): Promise<void> {
  const cfg = await client.get<Record<string, unknown>>('/api/v4/config/client?format=old').catch(() => undefined);
  if (!cfg) return;
  const max = Number(cfg.MaxFileSize);
  if (!config.maxFileBytes && Number.isFinite(max) && max > 0) caps.maxFileBytes = max;
  if (cfg.EnablePostUsernameOverride === 'false') {
    c.log.warn('mattermost: "Enable integrations to override usernames" is off; copies will show the bot\'s name');
  }
}

/** A small cache of lookups that rarely change (channels, users). */
function cached<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const memo = new Map<string, Promise<T>>();
  return (key) => {
    let p = memo.get(key);
    if (!p) {
      p = load(key);
      memo.set(key, p);
      p.catch(() => memo.delete(key));
      if (memo.size > 5000) memo.delete(memo.keys().next().value as string);
    }
    return p;
  };
}

export function createMattermostBot(config: MattermostConfig): MattermostBot {
  const client = new MattermostClient(config.url, config.token);
  let ctx: BotContext | undefined;
  let socket: MattermostSocket | undefined;
  const capabilities = {
    maxTextLength: MAX_RUNES,
    maxFileBytes: config.maxFileBytes ?? 100 * 1024 * 1024,
    impersonate: true,
    replies: true,
  };
  const context = (): BotContext => {
    if (!ctx) throw new Error('mattermost bot not started');
    return ctx;
  };
  const outbound = new MattermostOutbound(client, context, () => capabilities.maxFileBytes);
  const channel = cached((id) => client.get<MmChannel>(`/api/v4/channels/${encodeURIComponent(id)}`));
  const user = cached((id) => client.get<MmUser>(`/api/v4/users/${encodeURIComponent(id)}`));
  const team = cached((id) => client.get<MmTeam>(`/api/v4/teams/${encodeURIComponent(id)}`));

  const room = async (channelId: string, teamHint?: string): Promise<RoomRef> => {
    const teamId = teamHint ?? (await channel(channelId).catch(() => undefined))?.team_id;
    return teamId ? { platform: 'mattermost', workspace: teamId, channel: channelId } : { platform: 'mattermost', channel: channelId };
  };
  const author = async (post: MmPost): Promise<Author> => {
    const override = post.props?.from_webhook === 'true' ? str(post.props.override_username) : undefined;
    const u = await user(post.user_id).catch(() => undefined);
    return { id: post.user_id, name: override ?? (u ? displayName(u) : post.user_id) };
  };
  const files = async (post: MmPost): Promise<MmFileInfo[]> => {
    if (post.metadata?.files?.length) return post.metadata.files;
    return Promise.all((post.file_ids ?? []).map((id) => client.get<MmFileInfo>(`/api/v4/files/${encodeURIComponent(id)}/info`)));
  };

  const bot = {
    platform: 'mattermost',
    capabilities,
    /** A channel's tenant is its team; a direct or group message (no team) is its own. */
    tenantWorkspace: (r: RoomRef): string | undefined => r.workspace,

    async start(c: BotContext): Promise<void> {
      ctx = c;
      const me = await client.get<MmUser>('/api/v4/users/me');
      await readServerLimits(client, c, config, capabilities);
      const deps: InboundDeps = {
        botUserId: me.id,
        botUsername: me.username,
        commandWord: c.commandWord,
        room,
        author,
        files,
        download: (fileId) => () => client.bytes(`/api/v4/files/${encodeURIComponent(fileId)}`, c.download),
      };
      const wsUrl = `${client.base.replace(/^http/, 'ws')}/api/v4/websocket`;
      socket = new MattermostSocket(wsUrl, config.token, {
        log: c.log,
        retryMs: config.retryMs ?? 1000,
        pingMs: config.pingMs ?? 30_000,
        ...(c.leaseHeld ? { leaseHeld: c.leaseHeld } : {}),
        onEvent: async (ev) => {
          const inbound = await toInbound(ev, deps);
          if (inbound) await c.ingest(inbound);
        },
      });
      socket.start();
      c.log.info({ user: me.username }, 'mattermost bot started');
    },

    connection(): ConnectionState {
      return socket?.state ?? { up: false, reason: 'not started' };
    },

    async stop(): Promise<void> {
      await socket?.stop();
      socket = undefined;
    },

    send: (post: OutboundPost): Promise<RemoteMessageId[]> => outbound.send(post),
    say: (r: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> => outbound.say(r, text, replyTo),
    edit: (edit: OutboundEdit): Promise<void> => outbound.edit(edit),
    delete: (del: OutboundDelete): Promise<void> => outbound.delete(del),

    async roomName(r: RoomRef): Promise<string> {
      const ch = await channel(r.channel);
      const name = ch.display_name || ch.name;
      const t = ch.team_id ? await team(ch.team_id).catch(() => undefined) : undefined;
      return t ? `~${name} on ${t.display_name || t.name}` : name;
    },
  } satisfies MattermostBot;
  return bot;
}
