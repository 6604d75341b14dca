/**
 * The Bolt app and how events reach it: the Events API over HTTP on the bridge's server
 * (FastifyReceiver) or Socket Mode (SocketModeReceiver, when an app token is set). Listeners
 * hand message / app_mention events and slash commands to the bot; nothing else is heard.
 */
import { App, SocketModeReceiver, type SlashCommand } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULTS, type SlackConfig } from './config.js';
import type { SelfIds, SlackMessage } from './inbound.js';
import { slackLogger } from './logger.js';
import { FastifyReceiver } from './receiver.js';

export interface TransportHandlers {
  onEvent(event: SlackMessage, eventId: string): Promise<void>;
  onCommand(command: SlashCommand): Promise<void>;
}

export interface Transport {
  readonly mode: 'events-api' | 'socket-mode';
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createTransport(
  config: SlackConfig,
  clientOptions: WebClientOptions,
  self: SelfIds,
  http: FastifyInstance,
  log: Logger,
  handlers: TransportHandlers,
): Transport {
  const logger = slackLogger(log);
  const socket = config.appToken
    ? new SocketModeReceiver({
        appToken: config.appToken,
        logger,
        autoReconnectEnabled: config.autoReconnect ?? true,
        installerOptions: { clientOptions: { ...clientOptions } },
      })
    : undefined;
  if (!socket && !config.signingSecret) throw new Error('slack: SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is required');
  const receiver =
    socket ??
    new FastifyReceiver({
      http,
      signingSecret: config.signingSecret ?? '',
      log,
      paths: [config.eventsPath ?? DEFAULTS.eventsPath, config.commandsPath ?? DEFAULTS.commandsPath],
    });

  const app = new App({
    token: config.botToken,
    botId: self.botId,
    botUserId: self.userId,
    receiver,
    socketMode: socket !== undefined,
    logger,
    clientOptions: { ...clientOptions },
    convoStore: false,
    ignoreSelf: true,
  });

  const eventId = (body: unknown): string | undefined => {
    const id = typeof body === 'object' && body !== null ? (body as { event_id?: unknown }).event_id : undefined;
    return typeof id === 'string' ? id : undefined;
  };
  const onEvent = async (event: SlackMessage, body: unknown): Promise<void> => {
    const id = eventId(body);
    if (id) await handlers.onEvent(event, id);
  };
  app.event('message', async ({ event, body }) => onEvent(event, body));
  app.event('app_mention', async ({ event, body }) => onEvent(event, body));
  app.command(/.*/, async ({ command, ack }) => {
    await ack();
    await handlers.onCommand(command);
  });
  app.error(async (err) => {
    log.error({ err: err.message, code: err.code }, 'slack: listener failed');
  });

  return {
    mode: socket ? 'socket-mode' : 'events-api',
    start: async () => {
      await app.start();
    },
    stop: async () => {
      // SocketModeReceiver.stop does not wait for the socket to close; the client's disconnect does.
      if (socket) await socket.client.disconnect();
      else await app.stop();
    },
  };
}
