/**
 * Who may open a web chat WebSocket, and who is shown the door:
 *  - the page's own origin only: PUBLIC_URL's, or one listed in WS_ALLOWED_ORIGINS (with a
 *    loopback PUBLIC_URL, a development set-up, any loopback origin). A request without an
 *    Origin header is not from a browser page, so there is no cross-site page to guard against;
 *  - at most `perAddress` sockets per client address and `total` in all;
 *  - a client that does not read (its unsent bytes pass `maxBufferedBytes`) is disconnected.
 */
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { WsLimits } from '../../src/limits.js';

/** Close codes: 1008 policy violation (origin), 1013 try again later (caps), 1009 too big (not reading). */
export const CLOSE_ORIGIN = 1008;
export const CLOSE_BUSY = 1013;
export const CLOSE_SLOW = 1009;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export class Admission {
  private readonly byAddress = new Map<string, number>();
  private readonly sockets = new Set<WebSocket>();
  private readonly origins: Set<string>;
  private readonly devLoopback: boolean;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: WsLimits,
    publicUrl: string,
    checkEveryMs = 250,
  ) {
    const own = new URL(publicUrl);
    this.origins = new Set([own.origin, ...limits.origins.map(originOf).filter((o): o is string => o !== undefined)]);
    this.devLoopback = LOOPBACK.has(own.hostname);
    this.timer = setInterval(() => this.dropSlow(), checkEveryMs);
    this.timer.unref();
  }

  /** Admit the socket (true) or close it with a reason (false). */
  admit(socket: WebSocket, req: FastifyRequest): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin)) {
      socket.close(CLOSE_ORIGIN, 'origin not allowed');
      return false;
    }
    const address = req.ip;
    const mine = this.byAddress.get(address) ?? 0;
    if (this.sockets.size >= this.limits.total || mine >= this.limits.perAddress) {
      socket.close(CLOSE_BUSY, 'too many connections: try again later');
      return false;
    }
    this.byAddress.set(address, mine + 1);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const n = (this.byAddress.get(address) ?? 1) - 1;
      if (n > 0) this.byAddress.set(address, n);
      else this.byAddress.delete(address);
    });
    return true;
  }

  get open(): number {
    return this.sockets.size;
  }

  /** Disconnect every client whose unsent bytes passed the bound (it is not reading). */
  dropSlow(): void {
    for (const s of this.sockets) {
      if (s.bufferedAmount > this.limits.maxBufferedBytes) {
        // terminate(): a close frame would only queue behind what the client already does not read.
        s.terminate();
      }
    }
  }

  private originAllowed(origin: string): boolean {
    const o = originOf(origin);
    if (!o) return false;
    if (this.origins.has(o)) return true;
    return this.devLoopback && LOOPBACK.has(new URL(o).hostname);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function originOf(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}
