/**
 * The Mattermost WebSocket (`/api/v4/websocket`): authenticates with an `authentication_challenge`
 * carrying the token (never in the URL), and reconnects with `connection_id` + `sequence_number`
 * so the server can replay what was missed during a short disconnect. Reconnects, heartbeat and
 * in-order delivery are the shared ReconnectingSocket's.
 */
import { ReconnectingSocket, type SocketSettings } from '../shared/reconnecting-socket.js';
import { str, type MmWsEvent } from './types.js';
import type { ConnectionState } from '../../src/bot.js';

export interface SocketOptions extends SocketSettings {
  readonly onEvent: (ev: MmWsEvent) => Promise<void>;
}

export class MattermostSocket {
  private readonly socket: ReconnectingSocket;
  private seq = 1;
  private connectionId = '';
  private lastServerSeq = -1;

  constructor(
    private readonly wsUrl: string,
    private readonly token: string,
    private readonly opts: SocketOptions,
  ) {
    this.socket = new ReconnectingSocket('mattermost', opts, {
      url: () => this.url(),
      onOpen: () => this.send({ action: 'authentication_challenge', data: { token: this.token } }),
      onFrame: (frame) => this.receive(frame as MmWsEvent),
      ping: () => this.send({ action: 'ping' }),
    });
  }

  start(): void {
    this.socket.start();
  }

  get state(): ConnectionState {
    return this.socket.state;
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  /** Resume the previous session when there was one. */
  private url(): URL {
    const url = new URL(this.wsUrl);
    if (this.connectionId) {
      url.searchParams.set('connection_id', this.connectionId);
      url.searchParams.set('sequence_number', String(this.lastServerSeq));
    }
    return url;
  }

  private send(msg: { action: string; data?: unknown }): void {
    this.socket.send({ seq: this.seq++, ...msg });
  }

  private receive(ev: MmWsEvent): void {
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
      this.socket.established();
      return;
    }
    if (typeof ev.seq === 'number') this.lastServerSeq = ev.seq;
    this.socket.enqueue(() => this.opts.onEvent(ev), { event: ev.event });
  }
}
