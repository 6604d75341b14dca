/**
 * Attacks on the HTTP server: large bodies, slow bodies, too many connections.
 * Bounds: MAX_BODY_KB before parsing, REQUEST_TIMEOUT_MS for a whole request, MAX_CONNECTIONS.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../web/helpers.js';
import { pool, startAbuseRig, type AbuseRig } from './rig.js';

let rig: AbuseRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** A raw socket that sends `head` and then one byte of body every `everyMs`, until closed. */
function slowBody(url: string, everyMs: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(hostPort(url));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.write('POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{');
      const drip = setInterval(() => socket.writable && socket.write(' '), everyMs);
      void closed.then(() => clearInterval(drip));
      resolve({ socket, closed });
    });
  });
}

/** GET on a new connection: the status, or 'dropped' when the server closes it unanswered. */
function rawGet(url: string, path: string): Promise<number | 'dropped'> {
  const socket = connect(hostPort(url));
  let got = '';
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    socket.once('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 'dropped');
    });
  });
}

describe('HTTP bodies and connections', () => {
  it('refuses 20 parallel 24 MB bodies before parsing them, declared or chunked, and keeps relaying', async () => {
    rig = await startAbuseRig();
    const r = rig;
    const body = Buffer.alloc(24 * 1024 * 1024, 0x20);
    body[0] = 0x7b; // '{'
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_x, i) => {
        const path = i % 2 ? '/groupme/anything' : '/api/rooms';
        // Half announce their size; half stream it chunked, so the limit must hold while reading.
        const init: RequestInit & { duplex?: 'half' } =
          i % 4 < 2
            ? { method: 'POST', headers: { 'content-type': 'application/json' }, body }
            : { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Blob([body]).stream(), duplex: 'half' };
        const res = await fetch(`${r.url}${path}`, init).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
        return res?.status ?? 'reset';
      }),
    );
    // 413 (too large), 404 (no such route, body unread), 408 (too slow on a loaded machine), or a
    // reset socket: never a 2xx or a 5xx.
    for (const s of statuses) expect([413, 404, 408, 'reset']).toContain(s);
    expect(statuses.filter((s) => s === 413).length).toBeGreaterThanOrEqual(5);
    await r.relays('after the big bodies');
  }, 120_000);

  it('closes 200 slow-body sockets at the request timeout, and keeps relaying meanwhile', async () => {
    rig = await startAbuseRig({ REQUEST_TIMEOUT_MS: '3000', HEADERS_TIMEOUT_MS: '2000' });
    const r = rig;
    const slow = await pool(Array.from({ length: 200 }), 50, () => slowBody(r.url, 500));
    await r.relays('during the slow bodies');
    let closed = 0;
    for (const s of slow) void s.closed.then(() => closed++);
    await until('every slow socket closed by the server', () => closed === 200, 30_000);
    await r.relays('after the slow bodies');
  }, 120_000);

  it('refuses connections beyond MAX_CONNECTIONS at once, and serves again when they go', async () => {
    rig = await startAbuseRig({ MAX_CONNECTIONS: '40' });
    const r = rig;
    const idle = await pool(Array.from({ length: 80 }), 20, async () => {
      const socket = connect(hostPort(r.url));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise((resolve) => socket.once('connect', resolve));
      return { socket, closed };
    });
    let dropped = 0;
    for (const s of idle) void s.closed.then(() => dropped++);
    // Sam's WebSocket holds one of the 40: the other 39 idle sockets stay, the rest are dropped.
    await until('the sockets over the cap dropped', () => dropped >= 80 - 39, 10_000);
    expect(await rawGet(r.url, '/healthz')).toBe('dropped');
    for (const s of idle) s.socket.destroy();
    await until('the server answers again', async () => (await rawGet(r.url, '/healthz')) === 200, 10_000);
    await r.relays('after the connection flood');
  }, 60_000);
});
