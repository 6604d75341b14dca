/**
 * The fake's WebSocket side (`/api/v4/websocket`): `authentication_challenge` with a token,
 * `hello` carrying a `connection_id`, events to the members of a channel with a per-connection
 * `seq`, `ping` replies, and replay of missed events when a client reconnects with
 * `connection_id` + `sequence_number`.
 */
import type { WebSocket } from 'ws';
import type { Model } from './model.js';
import { newId } from './model.js';

interface Session {
  readonly connectionId: string;
  readonly userId: string;
  seq: number;
  readonly sent: { seq: number; frame: string }[];
  socket?: WebSocket;
}

export class Hub {
  private readonly sessions = new Map<string, Session>();
  /** Sockets that passed the authentication challenge and are open. */
  authenticated = 0;

  constructor(private readonly model: Model) {}

  accept(socket: WebSocket, query: URLSearchParams): void {
    let session: Session | undefined;
    socket.on('close', () => {
      if (session?.socket === socket) {
        session.socket = undefined;
        this.authenticated--;
      }
    });
    socket.on('message', (data) => {
      let msg: { seq?: number; action?: string; data?: { token?: string } };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      const reply = (body: Record<string, unknown>): void => socket.send(JSON.stringify({ ...body, seq_reply: msg.seq }));
      if (msg.action === 'authentication_challenge') {
        const userId = this.model.tokens.get(msg.data?.token ?? '');
        if (!userId) {
          reply({ status: 'FAIL', error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Invalid or expired session' } });
          socket.close(1008);
          return;
        }
        const resumeId = query.get('connection_id') ?? '';
        const old = this.sessions.get(resumeId);
        session = old && old.userId === userId ? old : { connectionId: newId(), userId, seq: 0, sent: [] };
        this.sessions.set(session.connectionId, session);
        session.socket = socket;
        this.authenticated++;
        reply({ status: 'OK' });
        this.emit(session, 'hello', { server_version: '9.11.0.fake', connection_id: session.connectionId }, { user_id: userId });
        if (session === old) {
          const after = Number(query.get('sequence_number') ?? '-1');
          for (const s of session.sent) if (s.seq > after) socket.send(s.frame);
        }
        return;
      }
      if (!session) return reply({ status: 'FAIL', error: { id: 'api.web_socket_router.not_authenticated.app_error' } });
      if (msg.action === 'ping') reply({ status: 'OK', data: { text: 'pong', server_time: Date.now() } });
    });
  }

  /** Send an event to every session of the channel's members, connected or not (for replay). */
  broadcast(event: string, channelId: string, data: Record<string, unknown>): void {
    const members = this.model.channels.get(channelId)?.members ?? new Set<string>();
    for (const s of this.sessions.values()) {
      if (members.has(s.userId)) this.emit(s, event, data, { channel_id: channelId, team_id: '', user_id: '', omit_users: null });
    }
  }

  /** Cut every connection (a network blip): sessions stay, so clients can resume. */
  dropAll(): void {
    for (const s of this.sessions.values()) s.socket?.terminate();
  }

  /** Forget every session (a server restart): reconnecting clients get a new connection_id. */
  forgetSessions(): void {
    this.dropAll();
    this.sessions.clear();
  }

  private emit(s: Session, event: string, data: Record<string, unknown>, broadcast: Record<string, unknown>): void {
    const seq = s.seq++;
    const frame = JSON.stringify({ event, data, broadcast, seq });
    if (event !== 'hello') {
      s.sent.push({ seq, frame });
      if (s.sent.length > 128) s.sent.shift();
    }
    s.socket?.send(frame);
  }
}
