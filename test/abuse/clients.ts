/** Attack clients shared by the hostile-load suite and the bench (no test-runner imports here). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

/** A WebSocket client that joins the room and then never reads again. */
export async function nonReader(url: string, roomId: string, i: number): Promise<{ ws: WebSocket; closedWith: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  const closedWith = new Promise<number>((resolve) => {
    ws.once('close', (code) => resolve(code));
    ws.once('error', () => resolve(0));
  });
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
    ws.once('error', () => resolve());
  });
  if (ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify({ type: 'hello', room: roomId, name: `lurker${i}`, key: `lurker-key-${process.pid}-${i}-abcdefgh` }));
    // Stop reading: what the server sends piles up in the kernel, then in the server's buffer.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }
  return { ws, closedWith };
}

/** Run `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

/** A hostile file host on loopback: `/go?<url>` redirects there; anything else streams 200 MB. */
export async function hostileFileServer(): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/go?')) return void res.writeHead(302, { location: decodeURIComponent(path.slice(4)) }).end();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = (): void => {
      while (sent < 200 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.writeHead(200);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}
