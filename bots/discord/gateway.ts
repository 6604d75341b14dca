/**
 * The gateway connection: a discord.js Client used for its WebSocket (identify, heartbeats,
 * resume, reconnects). Raw dispatches are handed on; the bot keeps its own small directory and
 * does its own REST calls, so no discord.js cache or partials decide what gets bridged.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { Logger } from 'pino';
import { redact, restOptions } from './transport.js';

export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

const READY_TIMEOUT_MS = 60_000;

export interface GatewayHandlers {
  /** Every dispatch (op 0), in order, synchronously as it arrives. */
  dispatch(t: string, d: unknown): void;
  /** A new session is ready: READY and all its GUILD_CREATEs have arrived (not called on RESUMED). */
  sessionReady(): void;
}

export class Gateway {
  private client: Client | undefined;

  constructor(
    private readonly opts: { readonly token: string; readonly api: string; readonly log: Logger },
    private readonly on: GatewayHandlers,
  ) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The session is ready (identified or resumed), not merely being dialled. */
  get ready(): boolean {
    return this.client?.isReady() ?? false;
  }

  async connect(): Promise<void> {
    if (this.client) return;
    const client = new Client({ intents: INTENTS, rest: restOptions(this.opts.api) });
    const log = this.opts.log;
    client.on(Events.Raw, (packet: { op?: number; t?: string | null; d?: unknown }) => {
      if (packet.op === 0 && typeof packet.t === 'string') this.on.dispatch(packet.t, packet.d);
    });
    client.on(Events.ShardReady, () => this.on.sessionReady());
    client.on(Events.ShardResume, (_id, replayed) => log.info({ replayed }, 'discord: gateway session resumed'));
    client.on(Events.ShardReconnecting, () => log.info('discord: gateway reconnecting'));
    client.on(Events.ShardError, (err) => log.warn({ err: redact(err.message, this.opts.token) }, 'discord: gateway error'));
    client.on(Events.Error, (err) => log.error({ err: redact(err.message, this.opts.token) }, 'discord: client error'));
    this.client = client;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      client.once(Events.ClientReady, () => resolve());
      timer = setTimeout(() => reject(new Error('discord: gateway not ready in time')), READY_TIMEOUT_MS);
    });
    try {
      await client.login(this.opts.token);
      await ready;
    } catch (err) {
      this.client = undefined;
      await client.destroy();
      throw new Error(`discord: could not connect to the gateway: ${redact(err instanceof Error ? err.message : String(err), this.opts.token)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.destroy();
  }
}
