/**
 * The fake's Socket Mode endpoint: the URL from apps.connections.open (single-use ticket),
 * `hello` on connect, then `events_api` / `slash_commands` envelopes; the client must ack each
 * with `{envelope_id}`. Unacked envelopes can be re-sent with a retry_attempt, as Slack does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Ack {
  readonly envelope_id: string;
  readonly payload?: unknown;
}

export interface EnvelopeOptions {
  readonly envelopeId?: string;
  readonly retryAttempt?: number;
  readonly retryReason?: string;
  /** How long to wait for the ack. Default 5 s. */
  readonly ackTimeoutMs?: number;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly clients = new Set<WebSocket>();
  private readonly waiting = new Map<string, (ack: Ack) => void>();
  readonly acks: Ack[] = [];
  /** Connections made (reconnects count). */
  connections = 0;

  constructor(
    http: FastifyInstance,
    private readonly appId: string,
  ) {
    http.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  newTicket(): string {
    const t = randomUUID();
    this.tickets.add(t);
    return t;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(ws: WebSocket): void {
    this.connections += 1;
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      const id = typeof msg === 'object' && msg !== null ? (msg as { envelope_id?: unknown }).envelope_id : undefined;
      if (typeof id !== 'string') return;
      const ack: Ack = { envelope_id: id, payload: (msg as { payload?: unknown }).payload };
      this.acks.push(ack);
      this.waiting.get(id)?.(ack);
      this.waiting.delete(id);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.clients.size,
        debug_info: { host: 'fake-slack', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Send one envelope to the connected client; resolves with its ack. */
  send(type: 'events_api' | 'slash_commands', payload: object, opts: EnvelopeOptions = {}): Promise<Ack> {
    const [ws] = this.clients;
    if (!ws) return Promise.reject(new Error('no Socket Mode client connected'));
    const envelope_id = opts.envelopeId ?? randomUUID();
    const envelope = {
      envelope_id,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' } : {}),
    };
    return new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelope_id);
        reject(new Error(`no ack for envelope ${envelope_id}`));
      }, opts.ackTimeoutMs ?? 5000);
      this.waiting.set(envelope_id, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Ask clients to reconnect, as Slack does before recycling a connection. */
  disconnectAll(reason = 'refresh_requested'): void {
    for (const ws of this.clients) ws.send(JSON.stringify({ type: 'disconnect', reason }));
  }

  async close(): Promise<void> {
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
