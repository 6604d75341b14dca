/**
 * One IRC network: one irc-framework connection with NickServ/SASL auth, reconnect with
 * backoff, the set of channels to be in (persisted in the bot's state so it rejoins after a
 * restart), INVITE → join, and a paced send queue.
 */
import IrcFramework from 'irc-framework';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import { DeliveryError, unavailable } from '../../src/errors.js';
import type { IrcNetworkConfig } from './config.js';
import type { IrcMessage } from './inbound.js';
import { Pacer, type PaceOptions } from './pacer.js';

export interface NetworkDeps {
  readonly log: Logger;
  readonly state: BotState;
  readonly pace: PaceOptions;
  readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  readonly newId: () => string;
  readonly onMessage: (network: IrcNetwork, msg: IrcMessage, action: boolean) => void;
}

export class IrcNetwork {
  readonly workspace: string;
  private readonly client = new IrcFramework.Client();
  private readonly pacer: Pacer;
  private readonly log: Logger;
  /** Channels the bot wants to be in (persisted), by channel key. */
  private readonly wanted = new Set<string>();
  /** Channels the bot is in on the current connection. */
  private readonly joined = new Set<string>();
  private registered = false;
  private stopping = false;
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private onFirst: ((err?: Error) => void) | undefined;
  private onClosed: (() => void) | undefined;

  constructor(
    private readonly cfg: IrcNetworkConfig,
    private readonly deps: NetworkDeps,
  ) {
    this.workspace = cfg.server.toLowerCase();
    this.pacer = new Pacer(deps.pace);
    this.log = deps.log.child({ network: this.workspace });
    this.bind();
  }

  get nick(): string {
    return this.client.user.nick || this.cfg.nick;
  }

  get username(): string {
    return this.cfg.username ?? 'sameroom';
  }

  /** Room channel for a channel name: lower-cased with the network's case mapping. */
  channelKey(name: string): string {
    return this.client.caseLower(name);
  }

  isChannel(target: string): boolean {
    const types = this.client.network.supports('CHANTYPES');
    return (typeof types === 'string' && types ? types : '#&').includes(target[0] ?? '');
  }

  sameNick(a: string, b: string): boolean {
    return this.client.caseCompare(a, b);
  }

  /** Channels the bot is in right now. */
  channels(): string[] {
    return [...this.joined];
  }

  async start(): Promise<void> {
    const saved = await this.deps.state.get(this.stateKey);
    const list: unknown = saved ? JSON.parse(saved) : [];
    if (Array.isArray(list)) for (const c of list) if (typeof c === 'string') this.wanted.add(c);
    for (const c of this.cfg.channels ?? []) this.wanted.add(this.channelKey(c));
    const first = new Promise<void>((resolve, reject) => {
      this.onFirst = (err) => (err ? reject(err) : resolve());
    });
    this.connect();
    await first;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.pacer.cancel(unavailable('IRC bot stopped'));
    if (!this.client.connected) return;
    const closed = new Promise<void>((resolve) => {
      this.onClosed = resolve;
    });
    this.client.quit('Sameroom bridge stopping');
    const fallback = setTimeout(() => this.onClosed?.(), 3000);
    await closed;
    clearTimeout(fallback);
  }

  /** Ask to join (the JOIN echo from the server records it). */
  join(channel: string): void {
    this.wanted.add(this.channelKey(channel));
    if (this.registered) this.client.join(channel);
  }

  /** Post lines (already split to fit) to a channel, paced; returns one id per line. */
  async sendLines(channel: string, lines: readonly string[], action = false): Promise<string[]> {
    const key = this.channelKey(channel);
    if (!this.registered || !this.client.connected) throw unavailable(`not connected to ${this.workspace}`);
    if (!this.joined.has(key)) {
      if (this.wanted.has(key)) throw unavailable(`still joining ${key} on ${this.workspace}`);
      throw new DeliveryError('forbidden', `not in ${key} on ${this.workspace} (invite the bot)`);
    }
    return this.pacer.runAll(
      lines.map((line) => () => {
        if (!this.client.connected) throw unavailable(`disconnected from ${this.workspace}`);
        this.client.raw(action ? `PRIVMSG ${channel} :\x01ACTION ${line}\x01` : `PRIVMSG ${channel} :${line}`);
        return this.deps.newId();
      }),
    );
  }

  private get stateKey(): string {
    return `channels:${this.workspace}`;
  }

  private persist(): void {
    this.deps.state.set(this.stateKey, JSON.stringify([...this.wanted].sort())).catch((err: unknown) => {
      this.log.error({ err }, 'could not save the IRC channel list');
    });
  }

  private connect(): void {
    const c = this.cfg;
    const sasl = c.saslUser && c.saslPassword ? { account: c.saslUser, password: c.saslPassword } : undefined;
    this.registered = false;
    this.client.connect({
      host: c.server,
      port: c.port,
      tls: c.tls,
      rejectUnauthorized: c.rejectUnauthorized ?? true,
      nick: c.nick,
      username: this.username,
      gecos: c.realname ?? 'Sameroom bridge',
      version: null,
      auto_reconnect: false, // reconnects are ours: unlimited, with backoff and rejoin
      enable_echomessage: false,
      ...(sasl ? { account: sasl, sasl_disconnect_on_fail: true } : { account: {} }),
    });
  }

  private scheduleReconnect(): void {
    const { baseMs, maxMs } = this.deps.reconnect;
    const delay = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempts, 20)) + Math.floor(Math.random() * (baseMs / 2));
    this.attempts++;
    this.log.warn({ attempt: this.attempts, delayMs: delay }, 'IRC connection lost; reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) this.connect();
    }, delay);
  }

  private bind(): void {
    const cl = this.client;
    cl.on('registered', () => {
      this.registered = true;
      this.attempts = 0;
      this.log.info({ nick: cl.user.nick }, 'connected to IRC');
      if (this.cfg.nickservPassword && !this.cfg.saslUser) {
        cl.raw(`PRIVMSG NickServ :IDENTIFY ${this.cfg.nickservPassword}`);
      }
      for (const ch of this.wanted) cl.join(ch);
      this.onFirst?.();
      this.onFirst = undefined;
    });
    cl.on('nick in use', () => {
      if (!this.registered) cl.changeNick(`${cl.user.nick}_`);
    });
    cl.on('sasl failed', (e) => {
      this.log.error({ reason: e.reason }, 'IRC SASL authentication failed');
      if (this.onFirst) this.stopping = true; // wrong credentials at start: do not hammer the server
      this.onFirst?.(new Error(`IRC SASL authentication to ${this.workspace} failed: ${e.reason}`));
      this.onFirst = undefined;
    });
    cl.on('join', (e) => {
      if (!this.sameNick(e.nick, cl.user.nick)) return;
      const key = this.channelKey(e.channel);
      this.joined.add(key);
      if (!this.wanted.has(key)) this.wanted.add(key);
      this.persist();
      this.log.info({ channel: key }, 'joined IRC channel');
    });
    const left = (channel: string, why: string): void => {
      const key = this.channelKey(channel);
      this.joined.delete(key);
      this.wanted.delete(key);
      this.persist();
      this.log.info({ channel: key, why }, 'left IRC channel');
    };
    cl.on('part', (e) => {
      if (this.sameNick(e.nick, cl.user.nick)) left(e.channel, 'part');
    });
    cl.on('kick', (e) => {
      if (this.sameNick(e.kicked, cl.user.nick)) left(e.channel, `kicked by ${e.nick}: ${e.message}`);
    });
    cl.on('invite', (e) => {
      if (!this.sameNick(e.invited, cl.user.nick) || !this.isChannel(e.channel)) return;
      this.log.info({ channel: e.channel, by: e.nick }, 'invited to IRC channel');
      this.join(e.channel);
    });
    cl.on('irc error', (e) => {
      this.log.warn({ error: e.error, channel: e.channel, reason: e.reason }, 'IRC error');
    });
    cl.on('privmsg', (e) => this.deps.onMessage(this, e, false));
    cl.on('action', (e) => this.deps.onMessage(this, e, true));
    cl.on('close', () => {
      this.registered = false;
      this.joined.clear();
      this.pacer.cancel(unavailable(`disconnected from ${this.workspace}`));
      if (this.stopping) {
        this.onClosed?.();
        return;
      }
      if (this.onFirst) {
        this.log.warn({ server: this.workspace }, 'could not connect to IRC; retrying in the background');
        this.onFirst();
        this.onFirst = undefined;
      }
      this.scheduleReconnect();
    });
  }
}
