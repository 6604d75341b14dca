/**
 * Web platform test kit: a real bridge with the web bot (and test bots), real WebSocket clients
 * (ws) that record every frame, and small waits that fail with what they were waiting for.
 */
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { createWebBot, WEB_DEFAULTS, type WebBot, type WebConfig } from '../../bots/web/index.js';
import type { ServerFrame, WireMessage } from '../../bots/web/protocol.js';
import type { Bot } from '../../src/bot.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';

export const MAX_FILE = 256 * 1024;

export interface WebKit {
  readonly tb: TestBridge;
  readonly web: WebBot;
  stop(): Promise<void>;
}

/** `dataDir`: the data of an earlier bridge (embedded store), to start it again. */
export async function startWeb(opts: { bots?: readonly Bot[]; web?: Partial<WebConfig>; store?: StoreKind; env?: Record<string, string>; dataDir?: string } = {}): Promise<WebKit> {
  const web = createWebBot({ ...WEB_DEFAULTS, maxFileBytes: MAX_FILE, ...opts.web });
  const tb = await startTestBridge({
    store: opts.store ?? 'embedded',
    bots: [web, ...(opts.bots ?? [])],
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
  });
  return { tb, web, stop: () => tb.stop() };
}

/**
 * For a describe block: `start` a bridge and `open` clients to it; after each test the clients
 * are closed and the last bridge started is stopped.
 */
export function perTest(): { start(opts?: Parameters<typeof startWeb>[0]): Promise<WebKit>; open(): Promise<Client>; closeClients(): Promise<void> } {
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  const closeClients = async (): Promise<void> => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  };
  afterEach(async () => {
    await closeClients();
    await kit?.stop();
    kit = undefined;
  });
  return {
    start: async (opts) => {
      kit = await startWeb(opts);
      return kit;
    },
    open: async () => {
      const c = await Client.open(kit?.tb.url ?? '');
      clients.push(c);
      return c;
    },
    closeClients,
  };
}

/** Poll until `fn` returns a value other than undefined/false; fail after `ms` with `what`. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function createRoom(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (res.status !== 201) throw new Error(`room not made: ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

let keySeq = 0;
export const newKey = (): string => `testkey-${process.pid}-${++keySeq}-abcdefgh`;

/** A browser stand-in: one WebSocket that keeps every frame it got. */
export class Client {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  closed: { code: number } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
    ws.on('close', (code) => {
      this.closed = { code };
    });
  }

  static async open(base: string): Promise<Client> {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken) that matches. */
  async next<T extends ServerFrame['type']>(type: T, pred: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true, ms = 5000): Promise<Extract<ServerFrame, { type: T }>> {
    return until(`a ${type} frame`, () => {
      for (let i = this.cursor; i < this.frames.length; i++) {
        const f = this.frames[i];
        if (f?.type === type && pred(f as Extract<ServerFrame, { type: T }>)) {
          this.cursor = i + 1;
          return f as Extract<ServerFrame, { type: T }>;
        }
      }
      return undefined;
    }, ms);
  }

  async join(room: string, name: string, key = newKey()): Promise<Extract<ServerFrame, { type: 'welcome' }>> {
    this.send({ type: 'hello', room, name, key });
    return this.next('welcome');
  }

  /** Post and return the message as the server stored it. */
  async post(text: string, extra: { replyTo?: string; files?: string[] } = {}): Promise<WireMessage> {
    const nonce = `n${this.frames.length}x${Math.floor(Math.random() * 1e6)}`;
    this.send({ type: 'post', text, nonce, ...extra });
    return (await this.next('message', (f) => f.nonce === nonce)).message;
  }

  /** Messages currently shown, from history and live frames (edits and deletes applied). */
  shown(): WireMessage[] {
    const out = new Map<string, WireMessage>();
    for (const f of this.frames) {
      if (f.type === 'welcome') {
        out.clear();
        for (const m of f.history) out.set(m.id, m);
      } else if (f.type === 'message' || f.type === 'update') out.set(f.message.id, f.message);
      else if (f.type === 'delete') out.delete(f.id);
    }
    return [...out.values()];
  }

  errors(): string[] {
    return this.frames.flatMap((f) => (f.type === 'error' ? [f.code] : []));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The code in an `open` answer. */
export function codeIn(text: string): string {
  const m = /connect ([A-Z0-9-]{14})/.exec(text);
  if (!m?.[1]) throw new Error(`no code in: ${text}`);
  return m[1];
}
