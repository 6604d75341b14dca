/**
 * Rocket.Chat's realtime API: DDP over WebSocket (`/websocket`).
 * connect → login with the resume token → sub `stream-room-messages` `__my_messages__`, plus
 * `stream-notify-room` `<rid>/deleteMessage` per room. Answers server pings and pings itself;
 * reconnects, heartbeat and in-order delivery are the shared ReconnectingSocket's.
 */
import { ReconnectingSocket, type SocketSettings } from '../shared/reconnecting-socket.js';
import { isRecord, str, type DdpFrame, type RcMessage } from './types.js';
import type { ConnectionState } from '../../src/bot.js';

export interface DdpOptions extends SocketSettings {
  readonly onMessage: (m: RcMessage) => Promise<void>;
  readonly onDelete: (rid: string, messageId: string) => Promise<void>;
}

export class DdpClient {
  private readonly socket: ReconnectingSocket;
  private loggedIn = false;
  private n = 0;
  private readonly rooms = new Set<string>();

  constructor(
    url: string,
    private readonly token: string,
    private readonly opts: DdpOptions,
  ) {
    this.socket = new ReconnectingSocket('rocketchat', opts, {
      url: () => url,
      onOpen: () => this.socket.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] }),
      onFrame: (frame) => this.receive(frame as DdpFrame),
      ping: () => this.socket.send({ msg: 'ping', id: `p${++this.n}` }),
      onClose: () => {
        this.loggedIn = false;
      },
    });
  }

  start(rooms: Iterable<string>): void {
    for (const r of rooms) this.rooms.add(r);
    this.socket.start();
  }

  /** Follow deletions in a room (idempotent). */
  watchRoom(rid: string): void {
    if (this.rooms.has(rid)) return;
    this.rooms.add(rid);
    if (this.loggedIn) this.subDeletes(rid);
  }

  get state(): ConnectionState {
    return this.socket.state;
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  private subDeletes(rid: string): void {
    this.socket.send({ msg: 'sub', id: `del-${rid}`, name: 'stream-notify-room', params: [`${rid}/deleteMessage`, false] });
  }

  private receive(f: DdpFrame): void {
    switch (f.msg) {
      case 'ping':
        return this.socket.send(f.id ? { msg: 'pong', id: f.id } : { msg: 'pong' });
      case 'connected':
        return this.socket.send({ msg: 'method', method: 'login', id: 'login', params: [{ resume: this.token }] });
      case 'result':
        if (f.id !== 'login') return;
        if (f.error) {
          this.opts.log.error({ error: f.error }, 'rocketchat realtime login refused (bad token?)');
          this.socket.close();
          return;
        }
        this.loggedIn = true;
        this.socket.established();
        this.socket.send({ msg: 'sub', id: 'my-messages', name: 'stream-room-messages', params: ['__my_messages__', false] });
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
        this.socket.enqueue(() => this.opts.onMessage(msg));
      }
      return;
    }
    const del = /^(.+)\/deleteMessage$/.exec(f.fields?.eventName ?? '');
    const id = isRecord(args[0]) ? str(args[0]._id) : undefined;
    if (f.collection === 'stream-notify-room' && del?.[1] && id) {
      const rid = del[1];
      this.socket.enqueue(() => this.opts.onDelete(rid, id));
    }
  }
}
