/**
 * Nothing typed is lost: with the server down a person types three messages (shown as waiting,
 * an offline banner announced), the server comes back on the same data, and each message
 * arrives exactly once, in the room and in the linked room; a message typed offline survives
 * closing the tab; an upload while offline says so instead of failing silently.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { toPlain } from '../../src/markup.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, startWeb, until, type WebKit } from '../web/helpers.js';
import { createRoomInPage, launch, say } from './browser.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const outboxOf = (page: Page, roomId: string): Promise<string | null> => page.evaluate((k) => localStorage.getItem(k), `sameroom.outbox.${roomId}`);

describe('the outbox in a browser', () => {
  let browser: Browser;
  let kit: WebKit | undefined;
  const alpha = new TestBot('alpha');
  let port = 0;
  beforeAll(async () => {
    browser = await launch();
    port = await freePort();
  });
  afterAll(async () => {
    await browser?.close();
    await kit?.stop();
  });
  const start = async (dataDir?: string): Promise<WebKit> => startWeb({ bots: [alpha], env: { PORT: String(port) }, ...(dataDir ? { dataDir } : {}) });

  it('keeps messages typed while the server is down and delivers each exactly once when it is back, here and in the linked room', async () => {
    kit = await start();
    const dataDir = kit.tb.dataDir;
    const ctx = await browser.newContext({ viewport: { width: 960, height: 720 } });
    const page = await ctx.newPage();
    const url = await createRoomInPage(page, kit.tb.url, 'Offline desk', 'Olga');
    const roomId = url.split('/r/')[1] ?? '';
    await say(page, '-sameroom open');
    const line = page.locator('.msg.kind-system .body code', { hasText: 'connect' }).last();
    await line.waitFor();
    await alpha.says('general', 'Ann', `-sameroom connect ${codeIn((await line.textContent()) ?? '')}`);
    await page.locator('.msg.kind-system', { hasText: 'now linked' }).waitFor();

    await kit.stop();
    kit = undefined;
    const banner = page.locator('#offline');
    await banner.waitFor();
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toContain('offline');
    for (const text of ['first while down', 'second while down', 'third while down']) await say(page, text);
    const waiting = page.locator('.msg.pending');
    await until('three waiting messages', async () => (await waiting.count()) === 3);
    expect(await waiting.first().locator('.status').textContent()).toBe('Waiting for the connection…');
    expect(await page.inputValue('#text')).toBe('');
    expect(JSON.parse((await outboxOf(page, roomId)) ?? '[]')).toHaveLength(3);

    // An upload while offline says why instead of throwing.
    await page.setInputFiles('#file-input', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.locator('#notice', { hasText: 'Could not upload notes.txt' }).waitFor();

    kit = await start(dataDir);
    await banner.waitFor({ state: 'hidden', timeout: 30_000 });
    await until('the outbox to empty', async () => (await waiting.count()) === 0 && (await outboxOf(page, roomId)) === null, 15_000);
    await kit.tb.settle();

    for (const text of ['first while down', 'second while down', 'third while down']) {
      expect(await page.locator('.msg.kind-user .body', { hasText: text }).count()).toBe(1);
      expect(alpha.room('general').filter((m) => toPlain(m.text).endsWith(text))).toHaveLength(1);
    }
    const reader = await Client.open(kit.tb.url);
    const welcome = await reader.join(roomId, 'Reader');
    expect(welcome.history.map((m) => m.text).filter((t) => t.endsWith('while down'))).toEqual(['first while down', 'second while down', 'third while down']);
    await reader.close();

    // A message typed offline and the tab closed: sent when the room is opened again.
    await kit.stop();
    kit = undefined;
    await banner.waitFor();
    await say(page, 'typed then closed');
    await until('the message in the outbox', async () => ((await outboxOf(page, roomId)) ?? '').includes('typed then closed'));
    await page.close();
    kit = await start(dataDir);
    const again = await ctx.newPage();
    await again.goto(url);
    await again.locator('.msg.kind-user:not(.pending) .body', { hasText: 'typed then closed' }).waitFor();
    await kit.tb.settle();
    expect(await again.locator('.msg .body', { hasText: 'typed then closed' }).count()).toBe(1);
    expect(alpha.room('general').filter((m) => toPlain(m.text).endsWith('typed then closed'))).toHaveLength(1);
    await ctx.close();
  });

  it('sends thirty quick messages, all of them, in order', async () => {
    kit ??= await start();
    const ctx = await browser.newContext({ viewport: { width: 960, height: 720 } });
    const page = await ctx.newPage();
    const url = await createRoomInPage(page, kit.tb.url, 'Burst', 'Bea');
    const texts = Array.from({ length: 30 }, (_, i) => `quick ${i + 1}`);
    for (const t of texts) await say(page, t);
    await until('every message confirmed', async () => (await page.locator('.msg.pending').count()) === 0 && (await page.locator('.msg.kind-user').count()) === 30, 30_000);
    const reader = await Client.open(kit.tb.url);
    const welcome = await reader.join(url.split('/r/')[1] ?? '', 'Reader');
    expect(welcome.history.map((m) => m.text)).toEqual(texts);
    await reader.close();
    await ctx.close();
  });
});
