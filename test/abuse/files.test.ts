/**
 * Attacks through files: a 200 MB download, redirects to this machine and to the cloud metadata
 * address, and 10,000 uploads that no message ever carries.
 * Bounds: the fetcher's byte limit and address checks; expiring uploads, the sweep, budgets.
 */
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundAttachment } from '../../src/model.js';
import { until } from '../web/helpers.js';
import { hostileFileServer } from './clients.js';
import { pool, startAbuseRig, type AbuseRig } from './rig.js';

let rig: AbuseRig | undefined;
let server: Server | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('files', () => {
  it('a 200 MB download stops at the limit, redirects to 127.0.0.1 and 169.254.169.254 are refused, and relaying goes on', async () => {
    rig = await startAbuseRig({ MAX_FILE_MB: '5' });
    const r = rig;
    const hostile = await hostileFileServer();
    server = hostile.server;
    const host = hostile.host;
    const ctx = r.alpha.ctx;
    if (!ctx) throw new Error('alpha not started');
    // The file host is this platform's configured server; where it redirects to is not.
    const att = (name: string, path: string): InboundAttachment => ({
      name,
      mime: 'application/octet-stream',
      fetch: () => ctx.download(`http://${host}${path}`, { configured: [host], hosts: ['169.254.169.254'] }),
    });
    await ctx.ingest({
      kind: 'post',
      room: { platform: 'alpha', channel: 'general' },
      eventId: 'hostile-1',
      id: 'hostile-1' as never,
      author: { id: 'mallory', name: 'Mallory' },
      text: 'files for you',
      attachments: [
        att('big.bin', '/big'),
        att('loop.txt', `/go?${encodeURIComponent('http://127.0.0.1:1/secret')}`),
        att('meta.txt', `/go?${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`),
      ],
    });
    const copy = await r.sam.next('message', (f) => f.message.text.includes('files for you'), 30_000);
    expect(copy.message.files).toEqual([]);
    expect(copy.message.text).toContain('big.bin not bridged: larger than 5 MB');
    expect(copy.message.text).toContain('loop.txt could not be fetched');
    expect(copy.message.text).toContain('meta.txt could not be fetched');
    await r.relays('after the hostile files');
  }, 60_000);

  it('10,000 uploads never posted: the address budget stops them, the rest expire and the sweep deletes every byte', async () => {
    rig = await startAbuseRig({ UPLOAD_TTL_MINUTES: '0.02', ADDRESS_UPLOAD_BUDGET_MB: '4' }, { httpRate: { capacity: 1e6, perSecond: 1e6 } });
    const r = rig;
    const dir = join(r.kit.tb.dataDir, 'files');
    const statuses = await pool(Array.from({ length: 10_000 }), 32, async (_x, i) => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(1024, i % 251)]), `f${i}.bin`);
      const res = await fetch(`${r.url}/r/${r.roomId}/files`, { method: 'POST', body: form });
      await res.arrayBuffer();
      return res.status;
    });
    const stored = statuses.filter((s) => s === 201).length;
    // 4 MB of 1 KiB files from one address, and no more.
    expect(stored).toBe(4096);
    expect(statuses.filter((s) => s === 429).length).toBe(10_000 - 4096);
    expect(readdirSync(dir).length).toBe(4096);
    await r.relays('after the uploads');
    // No message carries them: they expire (1.2 s here), and the sweep deletes the bytes.
    await new Promise((res) => setTimeout(res, 1500));
    await until('every upload swept', async () => {
      await r.kit.tb.bridge.files.sweep(Date.now() + 11 * 60_000);
      return readdirSync(dir).length === 0;
    }, 20_000);
  }, 240_000);
});
