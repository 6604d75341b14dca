/**
 * The IRC bot (irc-framework): one connection per network, channels joined on INVITE (and
 * remembered), formatting codes ↔ canonical markup, flood-safe paced sending, files as links.
 * IRC has no message ids, edits, deletes, replies or impersonation.
 */
import type { BotContext, NamingBot } from '../../src/bot.js';
import { DeliveryError, unavailable } from '../../src/errors.js';
import type { Capabilities, OutboundPost, RemoteMessageId, RoomRef } from '../../src/model.js';
import { DEFAULT_PACE, DEFAULT_RECONNECT, type IrcConfig } from './config.js';
import { IrcNetwork } from './connection.js';
import { messageToInbound, type IrcMessage } from './inbound.js';
import { channelOf, linesFor, renderForIrc } from './outbound.js';
import { LeaseGate } from '../shared/lease-gate.js';

export { ircConfigFromEnv, type IrcConfig, type IrcNetworkConfig } from './config.js';

export interface IrcBot extends NamingBot {
  /** Ask the bot to join a channel (as if invited). */
  join(workspace: string, channel: string): void;
  /** Channels the bot is in right now, per network. */
  channels(workspace: string): string[];
}

export function createIrcBot(config: IrcConfig): IrcBot {
  let counter = 0;
  const newId = (): string => `${Date.now()}-${++counter}`;
  const networks = new Map<string, IrcNetwork>();
  let ctx: BotContext | undefined;

  const capabilities: Capabilities = {
    maxTextLength: config.maxTextLength ?? 400,
    maxFileBytes: 0,
    impersonate: false,
    replies: false,
  };

  const network = (room: RoomRef): IrcNetwork => {
    // Not connected here (yet): on Redis, only the process holding the IRC lease is.
    if (networks.size === 0) throw unavailable('IRC is not connected in this process');
    const net = room.workspace ? networks.get(room.workspace.toLowerCase()) : undefined;
    if (!net) throw new DeliveryError('not_found', `no IRC connection to ${room.workspace ?? '(none)'}`);
    return net;
  };

  const onMessage = (net: IrcNetwork, msg: IrcMessage, action: boolean): void => {
    const c = ctx;
    if (!c) return;
    const event = messageToInbound(msg, action, {
      workspace: net.workspace,
      ownNick: net.nick,
      commandWord: c.commandWord,
      channelKey: (n) => net.channelKey(n),
      isChannel: (t) => net.isChannel(t),
      sameNick: (a, b) => net.sameNick(a, b),
      newId,
    });
    if (!event) return;
    c.ingest(event).catch((err: unknown) => c.log.error({ err, room: event.room }, 'IRC ingest failed'));
  };

  const post = async (room: RoomRef, ircText: string): Promise<RemoteMessageId[]> => {
    const net = network(room);
    const channel = channelOf(room);
    const lines = linesFor(ircText, channel, { nick: net.nick, username: net.username });
    if (lines.length === 0) return [];
    return (await net.sendLines(channel, lines)) as RemoteMessageId[];
  };

  let gate: LeaseGate | undefined;
  const closeAll = async (): Promise<void> => {
    const all = [...networks.values()];
    networks.clear();
    await Promise.all(all.map((n) => n.stop()));
  };

  const bot = {
    platform: 'irc',
    capabilities,
    connectionBound: true,
    async start(c: BotContext): Promise<void> {
      ctx = c;
      // One connection per network for the whole bridge: with several processes, only the
      // holder of the IRC lease connects (and, through the queue, delivers).
      gate = new LeaseGate(c, {
        open: async () => {
          for (const cfg of config.networks) {
            const net = new IrcNetwork(cfg, {
              log: c.log.child({ platform: 'irc' }),
              state: c.state,
              pace: config.pace ?? DEFAULT_PACE,
              reconnect: config.reconnect ?? DEFAULT_RECONNECT,
              newId,
              onMessage,
            });
            networks.set(net.workspace, net);
          }
          try {
            await Promise.all([...networks.values()].map((n) => n.start()));
          } catch (err) {
            await closeAll();
            throw err;
          }
        },
        close: closeAll,
      });
      await gate.start();
    },
    async stop(): Promise<void> {
      await gate?.stop();
      gate = undefined;
    },
    async send(p: OutboundPost): Promise<RemoteMessageId[]> {
      return post(p.room, renderForIrc(p.text, p.author.name, p.attachments));
    },
    async say(room: RoomRef, text: string): Promise<RemoteMessageId[]> {
      return post(room, renderForIrc(text, undefined));
    },
    async roomName(room: RoomRef): Promise<string> {
      return `${room.channel} on ${room.workspace ?? 'IRC'}`;
    },
    join(workspace: string, channel: string): void {
      network({ platform: 'irc', workspace, channel }).join(channel);
    },
    channels(workspace: string): string[] {
      return networks.get(workspace.toLowerCase())?.channels() ?? [];
    },
  } satisfies IrcBot;
  return bot;
}
