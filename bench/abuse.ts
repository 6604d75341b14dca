/**
 * Peak resident memory of one bridge process under each attack of the hostile-load suite
 * (test/abuse/), on loopback with the default limits. The helper process (abuse-host.ts) is
 * sampled every 20 ms from here; the goal is under 300 MB for every attack.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { hostileFileServer, nonReader, pool } from '../test/abuse/clients.js';
import type { AbuseHostApi } from './abuse-host.js';
import { Child } from './rpc.js';

export interface AbuseRow {
  readonly attack: string;
  readonly bound: string;
  readonly baselineMb: number;
  readonly peakMb: number;
  readonly outcome: string;
}

export const ABUSE_GOAL_MB = 300;

const mb = (b: number): number => Math.round(b / 1048576);

async function peakDuring(host: Child<AbuseHostApi>, work: () => Promise<string>): Promise<{ peak: number; outcome: string }> {
  let peak = host.rss();
  const t = setInterval(() => (peak = Math.max(peak, host.rss())), 20);
  try {
    const outcome = await work();
    await new Promise((r) => setTimeout(r, 500));
    return { peak: Math.max(peak, host.rss()), outcome };
  } finally {
    clearInterval(t);
  }
}

function slowBody(url: string): Socket {
  const u = new URL(url);
  const s = connect({ host: u.hostname, port: Number(u.port) });
  s.on('error', () => undefined);
  s.once('connect', () => {
    s.write('POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{');
    const drip = setInterval(() => (s.writable ? s.write(' ') : clearInterval(drip)), 1000);
    s.once('close', () => clearInterval(drip));
  });
  return s;
}

export async function abuseBench(log: (s: string) => void): Promise<AbuseRow[]> {
  const rows: AbuseRow[] = [];
  const run = async (attack: string, bound: string, env: Record<string, string>, history: number, work: (url: string, roomId: string, host: Child<AbuseHostApi>) => Promise<string>): Promise<void> => {
    const host = Child.spawn<AbuseHostApi>(join(import.meta.dirname, 'abuse-host.ts'), env);
    try {
      const { url, roomId } = await host.call('start', { history, length: 8000 });
      await new Promise((r) => setTimeout(r, 500));
      const baseline = host.rss();
      const { peak, outcome } = await peakDuring(host, () => work(url, roomId, host));
      rows.push({ attack, bound, baselineMb: mb(baseline), peakMb: mb(peak), outcome });
      log(`  abuse: ${attack}: ${mb(baseline)} → peak ${mb(peak)} MB (${outcome})`);
      await host.call('stop');
    } finally {
      await host.close();
    }
  };

  // 500 addresses' worth of clients (one address here, so the per-address cap is raised).
  await run('500 WebSocket clients that never read, room of 20 × 8,000-character messages', 'WS_MAX_TOTAL, WS_MAX_BUFFERED_KB, heartbeat', { WS_MAX_PER_ADDRESS: '1000' }, 20, async (url, roomId) => {
    const clients = await pool(Array.from({ length: 500 }), 25, (_x, i) => nonReader(url, roomId, i));
    await new Promise((r) => setTimeout(r, 5000));
    for (const c of clients) c.ws.terminate();
    return `${clients.length} connected`;
  });

  await run('20 parallel 24 MB JSON bodies', 'MAX_BODY_KB', {}, 0, async (url) => {
    const body = Buffer.alloc(24 * 1024 * 1024, 0x20);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_x, i) => {
        const init: RequestInit & { duplex?: 'half' } =
          i % 2 ? { method: 'POST', headers: { 'content-type': 'application/json' }, body } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Blob([body]).stream(), duplex: 'half' };
        const res = await fetch(`${url}${i % 4 < 2 ? '/groupme/anything' : '/api/rooms'}`, init).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
        return res?.status ?? 0;
      }),
    );
    return `statuses ${[...new Set(statuses)].join('/')}`;
  });

  await run('200 slow-body sockets (1 byte/s), held 10 s', 'REQUEST_TIMEOUT_MS, MAX_CONNECTIONS', {}, 0, async (url) => {
    const sockets = Array.from({ length: 200 }, () => slowBody(url));
    await new Promise((r) => setTimeout(r, 10_000));
    const open = sockets.filter((s) => !s.destroyed).length;
    for (const s of sockets) s.destroy();
    return `${open} still open after 10 s (closed at REQUEST_TIMEOUT_MS, 60 s by default)`;
  });

  const files = await hostileFileServer();
  try {
    await run('a 200 MB download; redirects to 127.0.0.1 and 169.254.169.254', 'MAX_FILE_MB, DOWNLOAD_*', {}, 0, async (_url, _room, host) => {
      const big = await host.call('download', { url: `http://${files.host}/big`, configured: files.host });
      const loop = await host.call('download', { url: `http://${files.host}/go?${encodeURIComponent('http://127.0.0.1:1/')}`, configured: files.host });
      const meta = await host.call('download', { url: `http://${files.host}/go?${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, configured: files.host });
      return `${big}, ${loop}, ${meta}`;
    });
  } finally {
    files.server.closeAllConnections();
    files.server.close();
  }

  await run('10,000 uploads never posted (1 KiB each)', 'UPLOAD_TTL_MINUTES, ADDRESS_UPLOAD_BUDGET_MB', {}, 0, async (url, roomId) => {
    const statuses = await pool(Array.from({ length: 10_000 }), 32, async (_x, i) => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(1024, i % 251)]), `f${i}.bin`);
      const res = await fetch(`${url}/r/${roomId}/files`, { method: 'POST', body: form });
      await res.arrayBuffer();
      return res.status;
    });
    return `${statuses.filter((s) => s === 201).length} stored, ${statuses.filter((s) => s === 429).length} over budget`;
  });
  return rows;
}

export function abuseMarkdown(rows: readonly AbuseRow[]): string {
  const out = ['| attack | bounded by | RSS before | peak RSS | outcome |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) out.push(`| ${r.attack} | ${r.bound} | ${r.baselineMb} MB | ${r.peakMb} MB${r.peakMb > ABUSE_GOAL_MB ? ' ⚠' : ''} | ${r.outcome} |`);
  return out.join('\n');
}
