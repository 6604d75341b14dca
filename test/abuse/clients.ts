/** Attack clients shared by the hostile-load suite and the bench (no test-runner imports here). */
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
