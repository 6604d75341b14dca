/**
 * The Mattermost WebSocket (`/api/v4/websocket`) with the `ws` package: authenticates with an
 * `authentication_challenge` carrying the token (never in the URL), hands events on in order,
 * pings to notice dead links, and reconnects with `connection_id` + `sequence_number` so the
 * server can replay what was missed during a short disconnect.
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { isRecord, str, type MmWsEvent } from './types.js';

export interface SocketOptions {
  readonly onEvent: (ev: MmWsEvent) => Promise<void>;
  readonly log: Logger;
  readonly retryMs: number;
  readonly pingMs: number;
  readonly leaseHeld?: () => boolean;
}

export class MattermostSocket {
  private ws?: WebSocket;
  private stopped = false;
  private failures = 0;
  private seq = 1;
  private connectionId = '';
  private lastServerSeq = -1;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lastHeard = Date.now();

  constructor(
    private readonly wsUrl: string,
    private readonly token: string,
    private readonly opts: SocketOptions,
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

  private connect(): void {
    if (this.stopped) return;
    if (this.opts.leaseHeld && !this.opts.leaseHeld()) return this.later(this.opts.retryMs * 10);
    const url = new URL(this.wsUrl);
    if (this.connectionId) {
      url.searchParams.set('connection_id', this.connectionId);
      url.searchParams.set('sequence_number', String(this.lastServerSeq));
    }
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.send({ action: 'authentication_challenge', data: { token: this.token } });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), this.opts.pingMs);
    });
    ws.on('message', (data) => this.receive(String(data)));
    ws.on('error', (err) => this.opts.log.warn({ err: err.message }, 'mattermost websocket error'));
    ws.on('close', () => {
      clearInterval(this.heartbeat);
      if (this.ws === ws && !this.stopped) this.later(Math.min(this.opts.retryMs * 2 ** this.failures++, 60_000));
    });
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms);
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.opts.pingMs * 2.5) {
      this.opts.log.warn('mattermost websocket silent; reconnecting');
      this.ws?.terminate();
      return;
    }
    this.send({ action: 'ping' });
  }

  private send(msg: { action: string; data?: unknown }): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ seq: this.seq++, ...msg }));
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(msg)) return;
    const ev = msg as MmWsEvent;
    if (ev.status === 'FAIL') {
      this.opts.log.error({ error: ev.error }, 'mattermost websocket request refused (bad token?)');
      return;
    }
    if (!ev.event) return;
    if (ev.event === 'hello') {
      const id = str(ev.data?.connection_id) ?? '';
      if (id !== this.connectionId) {
        if (this.connectionId) this.opts.log.warn('mattermost websocket: new session, events during the disconnect may be lost');
        this.lastServerSeq = typeof ev.seq === 'number' ? ev.seq : -1;
      }
      this.connectionId = id;
      this.failures = 0;
      return;
    }
    if (typeof ev.seq === 'number') this.lastServerSeq = ev.seq;
    this.chain = this.chain.then(() => this.deliver(ev));
  }

  /** Hand one event to the core, retrying a failing ingest a few times before giving up. */
  private async deliver(ev: MmWsEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.opts.onEvent(ev);
        return;
      } catch (err) {
        if (attempt >= 4 || this.stopped) {
          this.opts.log.error({ err, event: ev.event }, 'mattermost: dropping an event the core would not take');
          return;
        }
        await new Promise((r) => setTimeout(r, this.opts.retryMs * 2 ** attempt));
      }
    }
  }
}
