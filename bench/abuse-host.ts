/**
 * The process the abuse benchmark attacks: the real set-up (configuration from the environment,
 * embedded store, the web platform with its defaults) on loopback. The parent samples its RSS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORMS } from '../bots/index.js';
import { createWebBot, WEB_DEFAULTS } from '../bots/web/index.js';
import { createCommandRunner } from '../commands/index.js';
import type { Bridge } from '../src/bridge.js';
import { loadConfig } from '../src/config.js';
import { DownloadError } from '../src/download.js';
import { createLogger } from '../src/log.js';
import { buildBridge } from '../src/setup.js';
import { serve } from './rpc.js';

export interface AbuseHostApi {
  /** Start on a free port; a web room with `history` messages of `length` characters. */
  start(a: { history: number; length: number }): Promise<{ url: string; roomId: string }>;
  /** Download through the bridge's fetcher, `configured` being the platform's configured host. */
  download(a: { url: string; configured: string }): Promise<string>;
  stop(): Promise<void>;
}

let bridge: Bridge | undefined;

serve<AbuseHostApi>({
  start: async ({ history, length }) => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sr-bench-abuse-')), PORT: '0', LOG_LEVEL: 'silent', ...process.env });
    // One client address stands for many in this benchmark: its upload rate is not what is measured.
    const web = createWebBot({ ...WEB_DEFAULTS, maxFileBytes: config.maxFileBytes, httpRate: { capacity: 1e6, perSecond: 1e6 } });
    bridge = buildBridge(config, createLogger('silent'), [web], createCommandRunner(), { platforms: PLATFORMS });
    await bridge.start();
    const url = await bridge.http.listen({ port: 0, host: '127.0.0.1' });
    const made = await fetch(`${url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench' }) });
    const roomId = ((await made.json()) as { id: string }).id;
    for (let i = 0; i < history; i++) await web.say({ platform: 'web', channel: roomId }, `${i} ${'y'.repeat(length)}`);
    return { url, roomId };
  },
  download: async ({ url, configured }) => {
    if (!bridge) throw new Error('not started');
    try {
      await bridge.downloader.download(url, { configured: [configured], hosts: ['169.254.169.254'] });
      return 'downloaded';
    } catch (err) {
      return err instanceof DownloadError ? err.code : 'error';
    }
  },
  stop: async () => {
    await bridge?.stop(1000);
  },
});
