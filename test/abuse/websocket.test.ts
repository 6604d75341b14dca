/**
 * Attack: hundreds of WebSocket clients that join a room with a long history and never read.
 * Bound: at most WS_MAX_TOTAL sockets (and WS_MAX_PER_ADDRESS from one address); a client whose
 * unread bytes pass WS_MAX_BUFFERED_KB is cut off; foreign page origins are refused.
 */
import { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../web/helpers.js';
import { nonReader, pool, startAbuseRig, type AbuseRig } from './rig.js';

let rig: AbuseRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

function closeCode(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
  return new Promise((resolve) => {
    // Admitted sockets stay open; refused ones are closed at once with a code.
    const t = setTimeout(() => {
      ws.terminate();
      resolve('open');
    }, 1000);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    ws.once('error', () => undefined);
  });
}

describe('WebSocket admission', () => {
  it('takes the page origins it knows, refuses others, and caps sockets per address', async () => {
    rig = await startAbuseRig({ WS_ALLOWED_ORIGINS: 'https://embed.example.test', WS_MAX_PER_ADDRESS: '3' });
    const { url } = rig;
    expect(await closeCode(url, { origin: 'https://evil.example' })).toBe(1008);
    expect(await closeCode(url, { origin: 'null' })).toBe(1008);
    // Sam holds one of this address's three sockets.
    const kept = [new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: { origin: 'https://chat.example.test' } }), new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: { origin: 'https://embed.example.test' } })];
    await Promise.all(kept.map((ws) => new Promise((r) => ws.once('open', r))));
    expect(await closeCode(url)).toBe(1013);
    kept[0]?.close();
    await until('a freed slot', () => rig?.kit.web.connections() === 2);
    expect(await closeCode(url, { origin: 'https://chat.example.test' })).toBe('open');
    kept[1]?.close();
    await rig.relays('after the caps');
  });

  it('500 clients that never read: the total cap (100 here) holds, non-readers are cut off, Sam and Ann keep talking', async () => {
    rig = await startAbuseRig(
      { WS_MAX_PER_ADDRESS: '1000', WS_MAX_TOTAL: '100', WS_MAX_BUFFERED_KB: '64' },
      // A client that reads nothing answers no ping either: it is cut off at the second heartbeat.
      { maxTextLength: 40_000, heartbeatMs: 15_000 },
    );
    const r = rig;
    const long = 'x'.repeat(30_000);
    const t0 = Date.now();
    const mark = (what: string): void => void (process.env.ABUSE_DEBUG && console.log(what, Date.now() - t0));
    // A room with a long history (150 KB of text; #23 pages it).
    for (let i = 0; i < 5; i++) await r.alpha.says('general', 'Ann', `${i} ${long}`);
    await r.kit.tb.settle();
    mark('history');
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, r.kit.web.connections())), 5);
    const lurkers = await pool(Array.from({ length: 500 }), 25, (_x, i) => nonReader(r.url, r.roomId, i));
    mark('lurkers');
    // More pressure on whoever is still connected: live messages nobody reads.
    for (let i = 0; i < 20; i++) await r.alpha.says('general', 'Ann', `live ${i} ${long}`);
    mark('live');
    await r.relays('during the flood');
    mark('relayed');
    await until('non-readers cut off', () => r.kit.web.connections() === 1, 60_000); // Sam, who reads, stays
    clearInterval(sample);
    // Never more than the total cap at once (Sam included), though 500 came.
    expect(most).toBe(100);
    for (const l of lurkers) l.ws.terminate();
    await Promise.all(lurkers.map((l) => l.closedWith));
    await r.relays('after the flood');
  }, 180_000);
});

describe('a client that does not keep up', () => {
  it('is cut off once its unsent bytes pass the bound, whatever it still answers', async () => {
    const { Admission } = await import('../../bots/web/admission.js');
    const adm = new Admission({ perAddress: 5, total: 5, origins: [], maxBufferedBytes: 1000 }, 'https://chat.example.test', 60_000);
    const sockets = [0, 999, 1001].map((buffered) => {
      const s = Object.assign(new EventEmitter(), { bufferedAmount: buffered, terminated: false, terminate(): void { this.terminated = true; }, close(): void {} });
      return s;
    });
    for (const s of sockets) {
      const req = { headers: {}, ip: '192.0.2.1' } as unknown as FastifyRequest;
      expect(adm.admit(s as unknown as WebSocket, req)).toBe(true);
    }
    adm.dropSlow();
    expect(sockets.map((s) => s.terminated)).toEqual([false, false, true]);
    adm.stop();
  });
});
