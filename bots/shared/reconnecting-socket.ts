/**
 * The lifecycle every bot's JSON-over-WebSocket feed shares (with the `ws` package): connect when
 * this replica holds the lease, heartbeat to notice dead links, reconnect with exponential back-off,
 * and hand events to the core one at a time, in order, retrying a failing ingest a few times.
 * The platform protocol (handshake, ping frame, what a frame means) comes in through the hooks.
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { backoffMs } from './backoff.js';
import { isRecord } from './json.js';
import type { ConnectionState } from '../../src/bot.js';

/** How a platform's socket is tuned; the platforms' own option types extend this. */
export interface SocketSettings {
  readonly log: Logger;
  /** First reconnect delay; doubles per failed attempt up to a minute. */
  readonly retryMs: number;
  /** Heartbeat interval; a link silent for 2.5 of these is dropped and redialled. */
  readonly pingMs: number;
  /** Connect only while this replica holds the lease (checked before every attempt). */
  readonly leaseHeld?: () => boolean;
}

/** The platform protocol. */
export interface SocketHooks {
  /** The URL of the next attempt (it may carry resume parameters). */
  readonly url: () => string | URL;
  /** The socket opened: send the handshake. */
  readonly onOpen: () => void;
  /** One JSON object frame arrived. */
  readonly onFrame: (frame: Record<string, unknown>) => void;
  /** A heartbeat on a live link: send the platform's ping. */
  readonly ping: () => void;
  /** The socket closed (before any reconnect is scheduled). */
  readonly onClose?: () => void;
}

export class ReconnectingSocket {
  /** Up once the platform's handshake is done (`established`), down from the next close. */
  state: ConnectionState = { up: false, reason: 'connecting' };
  private ws?: WebSocket;
  private stopped = false;
  private failures = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lastHeard = Date.now();

  /** `name` is the platform's, for log lines (e.g. `mattermost`). */
  constructor(
    private readonly name: string,
    private readonly opts: SocketSettings,
    private readonly hooks: SocketHooks,
  ) {}

  start(): void {
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    await this.chain;
  }

  /** Send one frame as JSON if the link is open (dropped otherwise: the handshake redoes state). */
  send(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** The session is established: the next disconnect starts the back-off from the beginning. */
  established(): void {
    this.failures = 0;
    this.state = { up: true };
  }

  /** Close the link gracefully; it is redialled after the back-off. */
  close(): void {
    this.ws?.close();
  }

  /** Run `fn` after every earlier event; a failing ingest is retried a few times, then given up. */
  enqueue(fn: () => Promise<void>, logFields: Record<string, unknown> = {}): void {
    this.chain = this.chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (attempt >= 4 || this.stopped) {
            this.opts.log.error({ err, ...logFields }, `${this.name}: dropping an event the core would not take`);
            return;
          }
          await new Promise((r) => setTimeout(r, this.opts.retryMs * 2 ** attempt));
        }
      }
    });
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.opts.leaseHeld && !this.opts.leaseHeld()) return this.later(this.opts.retryMs * 10);
    const ws = new WebSocket(this.hooks.url());
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.hooks.onOpen();
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), this.opts.pingMs);
    });
    ws.on('message', (data) => this.receive(String(data)));
    ws.on('error', (err) => {
      this.state = { up: false, reason: `websocket error: ${err.message}` };
      this.opts.log.warn({ err: err.message }, `${this.name} websocket error`);
    });
    ws.on('close', () => {
      if (this.state.up) this.state = { up: false, reason: 'connection lost; reconnecting' };
      clearInterval(this.heartbeat);
      this.hooks.onClose?.();
      if (this.ws === ws && !this.stopped) this.later(backoffMs(this.opts.retryMs, this.failures++));
    });
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms);
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.opts.pingMs * 2.5) {
      this.opts.log.warn(`${this.name} websocket silent; reconnecting`);
      this.ws?.terminate();
      return;
    }
    this.hooks.ping();
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (isRecord(parsed)) this.hooks.onFrame(parsed);
  }
}
