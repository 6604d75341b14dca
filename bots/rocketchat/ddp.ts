/**
 * Rocket.Chat's realtime API: DDP over WebSocket (`/websocket`) with the `ws` package.
 * connect → login with the resume token → sub `stream-room-messages` `__my_messages__`, plus
 * `stream-notify-room` `<rid>/deleteMessage` per room. Answers server pings, pings itself to
 * notice dead links, reconnects with back-off, and hands frames on in order.
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { isRecord, str, type DdpFrame, type RcMessage } from './types.js';

export interface DdpOptions {
  readonly onMessage: (m: RcMessage) => Promise<void>;
  readonly onDelete: (rid: string, messageId: string) => Promise<void>;
  readonly log: Logger;
  readonly retryMs: number;
  readonly pingMs: number;
  readonly leaseHeld?: () => boolean;
}

export class DdpClient {
  private ws?: WebSocket;
  private stopped = false;
  private loggedIn = false;
  private failures = 0;
  private n = 0;
  private readonly rooms = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lastHeard = Date.now();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly opts: DdpOptions,
  ) {}

  start(rooms: Iterable<string>): void {
    for (const r of rooms) this.rooms.add(r);
    this.connect();
  }

  /** Follow deletions in a room (idempotent). */
  watchRoom(rid: string): void {
    if (this.rooms.has(rid)) return;
    this.rooms.add(rid);
    if (this.loggedIn) this.subDeletes(rid);
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
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.loggedIn = false;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), this.opts.pingMs);
    });
    ws.on('message', (data) => this.receive(String(data)));
    ws.on('error', (err) => this.opts.log.warn({ err: err.message }, 'rocketchat websocket error'));
    ws.on('close', () => {
      clearInterval(this.heartbeat);
      this.loggedIn = false;
      if (this.ws === ws && !this.stopped) this.later(Math.min(this.opts.retryMs * 2 ** this.failures++, 60_000));
    });
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms);
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.opts.pingMs * 2.5) {
      this.opts.log.warn('rocketchat websocket silent; reconnecting');
      this.ws?.terminate();
      return;
    }
    this.send({ msg: 'ping', id: `p${++this.n}` });
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private subDeletes(rid: string): void {
    this.send({ msg: 'sub', id: `del-${rid}`, name: 'stream-notify-room', params: [`${rid}/deleteMessage`, false] });
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
    const f = parsed as DdpFrame;
    switch (f.msg) {
      case 'ping':
        return this.send(f.id ? { msg: 'pong', id: f.id } : { msg: 'pong' });
      case 'connected':
        return this.send({ msg: 'method', method: 'login', id: 'login', params: [{ resume: this.token }] });
      case 'result':
        if (f.id !== 'login') return;
        if (f.error) {
          this.opts.log.error({ error: f.error }, 'rocketchat realtime login refused (bad token?)');
          this.ws?.close();
          return;
        }
        this.loggedIn = true;
        this.failures = 0;
        this.send({ msg: 'sub', id: 'my-messages', name: 'stream-room-messages', params: ['__my_messages__', false] });
        for (const rid of this.rooms) this.subDeletes(rid);
        return;
      case 'nosub':
        this.opts.log.warn({ id: f.id, error: f.error }, 'rocketchat subscription refused');
        return;
      case 'changed':
        return this.changed(f);
    }
  }

  private changed(f: DdpFrame): void {
    const args = f.fields?.args ?? [];
    if (f.collection === 'stream-room-messages') {
      const m = args[0];
      if (isRecord(m) && typeof m._id === 'string' && typeof m.rid === 'string' && isRecord(m.u)) {
        const msg = m as unknown as RcMessage;
        this.watchRoom(msg.rid);
        this.enqueue(() => this.opts.onMessage(msg));
      }
      return;
    }
    const del = /^(.+)\/deleteMessage$/.exec(f.fields?.eventName ?? '');
    const id = isRecord(args[0]) ? str(args[0]._id) : undefined;
    if (f.collection === 'stream-notify-room' && del?.[1] && id) {
      const rid = del[1];
      this.enqueue(() => this.opts.onDelete(rid, id));
    }
  }

  /** In order; a failing ingest is retried a few times before the event is given up. */
  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (attempt >= 4 || this.stopped) {
            this.opts.log.error({ err }, 'rocketchat: dropping an event the core would not take');
            return;
          }
          await new Promise((r) => setTimeout(r, this.opts.retryMs * 2 ** attempt));
        }
      }
    });
  }
}
