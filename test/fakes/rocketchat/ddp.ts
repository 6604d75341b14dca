/**
 * The fake's realtime API: DDP over WebSocket at `/websocket`. `connect` → `connected`,
 * `login` with `{resume: token}` → `result`, `sub` to `stream-room-messages` (`__my_messages__`
 * or a room id) and `stream-notify-room` (`<rid>/deleteMessage`) → `ready`, then `changed`
 * frames. Subscribing before login gets `nosub`. Answers `ping` with `pong`.
 */
import type { WebSocket } from 'ws';
import type { RcModel, RcMsg } from './model.js';

interface Conn {
  readonly socket: WebSocket;
  userId?: string;
  readonly subs: Map<string, { name: string; param: string }>;
}

export class DdpHub {
  private readonly conns = new Set<Conn>();
  /** Successful logins so far. */
  logins = 0;

  constructor(private readonly model: RcModel) {}

  /** Connections that have logged in and subscribed to `__my_messages__`. */
  get listening(): number {
    return [...this.conns].filter((c) => c.userId && [...c.subs.values()].some((s) => s.param === '__my_messages__')).length;
  }

  /** Open `<rid>/deleteMessage` subscriptions of logged-in connections. */
  deleteSubs(rid: string): number {
    return [...this.conns].filter((c) => [...c.subs.values()].some((s) => s.param === `${rid}/deleteMessage`)).length;
  }

  accept(socket: WebSocket): void {
    const conn: Conn = { socket, subs: new Map() };
    this.conns.add(conn);
    socket.on('close', () => this.conns.delete(conn));
    socket.send(JSON.stringify({ server_id: '0' }));
    socket.on('message', (data) => {
      let f: { msg?: string; id?: string; method?: string; name?: string; params?: unknown[] };
      try {
        f = JSON.parse(String(data)) as typeof f;
      } catch {
        return;
      }
      const send = (frame: Record<string, unknown>): void => socket.send(JSON.stringify(frame));
      switch (f.msg) {
        case 'connect':
          return send({ msg: 'connected', session: `s${Math.random().toString(36).slice(2)}` });
        case 'ping':
          return send(f.id ? { msg: 'pong', id: f.id } : { msg: 'pong' });
        case 'method': {
          if (f.method !== 'login') return send({ msg: 'result', id: f.id, error: { isClientSafe: true, error: 404, reason: `Method '${f.method}' not found`, errorType: 'Meteor.Error' } });
          const resume = (f.params?.[0] as { resume?: string } | undefined)?.resume;
          const user = [...this.model.users.values()].find((u) => u.token === resume);
          if (!user) {
            return send({ msg: 'result', id: f.id, error: { isClientSafe: true, error: 403, reason: "You've been logged out by the server. Please log in again.", errorType: 'Meteor.Error' } });
          }
          conn.userId = user._id;
          this.logins++;
          send({ msg: 'updated', methods: [f.id] });
          return send({ msg: 'result', id: f.id, result: { id: user._id, token: resume, tokenExpires: { $date: Date.now() + 90 * 86400_000 }, type: 'resume' } });
        }
        case 'sub': {
          const param = String(f.params?.[0] ?? '');
          const okName = f.name === 'stream-room-messages' || (f.name === 'stream-notify-room' && param.endsWith('/deleteMessage'));
          if (!conn.userId || !okName) return send({ msg: 'nosub', id: f.id, error: { isClientSafe: true, error: 'not-allowed', reason: 'Not allowed', errorType: 'Meteor.Error' } });
          conn.subs.set(f.id ?? '', { name: f.name ?? '', param });
          return send({ msg: 'ready', subs: [f.id] });
        }
        case 'unsub':
          conn.subs.delete(f.id ?? '');
          return;
      }
    });
  }

  /** A message was created or changed: tell subscribers of its room and `__my_messages__`. */
  message(m: RcMsg): void {
    const room = this.model.rooms.get(m.rid);
    for (const c of this.conns) {
      if (!c.userId || !room?.members.has(c.userId)) continue;
      for (const s of c.subs.values()) {
        if (s.name !== 'stream-room-messages' || (s.param !== '__my_messages__' && s.param !== m.rid)) continue;
        const extra = s.param === '__my_messages__' ? [{ roomParticipant: true, roomType: room.t, roomName: room.name }] : [];
        c.socket.send(JSON.stringify({ msg: 'changed', collection: 'stream-room-messages', id: 'id', fields: { eventName: s.param, args: [m, ...extra] } }));
      }
    }
  }

  /** A message was removed (show-deleted-status off): `stream-notify-room` `<rid>/deleteMessage`. */
  deleted(rid: string, id: string): void {
    const eventName = `${rid}/deleteMessage`;
    for (const c of this.conns) {
      if (![...c.subs.values()].some((s) => s.name === 'stream-notify-room' && s.param === eventName)) continue;
      c.socket.send(JSON.stringify({ msg: 'changed', collection: 'stream-notify-room', id: 'id', fields: { eventName, args: [{ _id: id }] } }));
    }
  }

  dropAll(): void {
    for (const c of this.conns) c.socket.terminate();
  }
}
