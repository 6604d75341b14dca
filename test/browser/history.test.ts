/**
 * A long room in a browser: 5,000 messages open at the bottom with only the newest page drawn,
 * scrolling up loads older pages without moving what the reader sees, down to the first message
 * and a start-of-room marker; days get a date line and runs of one author are grouped; a new
 * message while scrolled up shows a pill and an unread count in the title; a picture in the
 * history does not push the newest message out of view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { WebRooms, fileRef, type MessageRecord } from '../../bots/web/history.js';
import { Client, until, type WebKit, startWeb } from '../web/helpers.js';
import { launch, newPerson, pickName } from './browser.js';

const TOTAL = 5000;
const MINUTE = 60_000;
// A 1×1 PNG, served slowly enough to land after the first scroll.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const distanceFromBottom = (page: Page): Promise<number> => page.$eval('#messages', (b) => b.scrollHeight - b.scrollTop - b.clientHeight);

describe('a long room in a browser', () => {
  let browser: Browser;
  let kit: WebKit;
  let rooms: WebRooms;
  let roomId = '';
  beforeAll(async () => {
    browser = await launch();
    kit = await startWeb();
    rooms = new WebRooms(kit.tb.bridge.store, { historyCap: 10_000, messageTtlMs: 3600_000 });
    roomId = (await rooms.create('Archive')).id;
    const now = Date.now();
    const ann = { id: 'uann', name: 'Ann Archer' };
    const bob = { id: 'ubob', name: 'Bob Brown' };
    for (let i = 1; i <= TOTAL; i++) {
      // Runs of three by one author, a minute apart: 5,000 minutes span four days.
      const m: MessageRecord = { id: `seed${String(i).padStart(6, '0')}`, ts: now - (TOTAL - i) * MINUTE, kind: 'user', author: Math.floor(i / 3) % 2 ? ann : bob, text: `message ${i}`, files: [] };
      await rooms.append(roomId, m);
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await kit?.stop();
  });

  it('opens 5,000 messages at the bottom and scrolls back to the first one', async () => {
    const page = await newPerson(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    await page.goto(`${kit.tb.url}/r/${roomId}`);
    await pickName(page, 'Reader');
    const rows = page.locator('#messages .rows .msg');
    await page.locator('.msg', { hasText: `message ${TOTAL}` }).waitFor();
    process.stdout.write(`main-thread work to open: ${(await busy()).toFixed(3)} s\n`);
    // Only the newest page (and what fills the screen above it) is drawn on open.
    expect(await rows.count()).toBeLessThanOrEqual(300);
    await until('the view at the bottom', async () => (await distanceFromBottom(page)) < 2);
    expect(await page.locator('.start-marker').isHidden()).toBe(true);

    // Days have a line, runs of one author share one name.
    expect(await page.locator('#messages .day', { hasText: 'Today' }).count()).toBe(1);
    expect(await page.locator('.msg.grouped').count()).toBeGreaterThan(0);
    const grouped = page.locator('.msg.grouped').last();
    const groupedId = (await grouped.getAttribute('data-id')) ?? '';
    const above = page.locator(`.msg:has(+ .msg[data-id="${groupedId}"])`);
    expect(await above.locator('.author').textContent()).toBe(await grouped.locator('.author').textContent());

    // Older pages come in above without moving what is on screen.
    const box = page.locator('#messages');
    let before = await rows.count();
    const anchorId = (await rows.first().getAttribute('data-id')) ?? '';
    const topOf = (id: string): Promise<number> => page.$eval(`.msg[data-id="${id}"] .body`, (r) => r.getBoundingClientRect().top);
    // Scrolled and measured in one go: the page cannot arrive in between. (The row itself may
    // shrink when it joins a group with the page above; its text must not move.)
    const shownAt = await box.evaluate((b, id) => {
      b.scrollTop = 0;
      return b.querySelector(`.msg[data-id="${id}"] .body`)?.getBoundingClientRect().top ?? NaN;
    }, anchorId);
    await until('an older page', async () => (await rows.count()) > before);
    expect(Math.abs((await topOf(anchorId)) - shownAt)).toBeLessThan(2);

    for (let pages = 0; !(await page.locator('.start-marker').isVisible()); pages++) {
      if (pages > TOTAL / 50) throw new Error('too many pages to reach the start');
      before = await rows.count();
      await box.evaluate((b) => {
        b.scrollTop = 0;
      });
      await until('another page or the start', async () => (await rows.count()) > before || (await page.locator('.start-marker').isVisible()), 10_000);
    }
    process.stdout.write(`main-thread work after scrolling to the start: ${(await busy()).toFixed(3)} s\n`);
    expect(await rows.count()).toBe(TOTAL);
    expect(await rows.first().locator('.body').textContent()).toBe('message 1');
    const texts = await rows.locator('.body').allTextContents();
    expect(new Set(texts).size).toBe(TOTAL);
    expect(await page.locator('.start-marker').textContent()).toBe('This is the start of the room.');
    expect(await page.locator('#messages .day').count()).toBeGreaterThanOrEqual(4);

    // Scrolled up, a new message shows a pill and counts in the title; the pill takes you down.
    const other = await Client.open(kit.tb.url);
    await other.join(roomId, 'Writer');
    await other.post('are you there?');
    const pill = page.locator('#new-pill');
    await pill.waitFor();
    expect(await pill.textContent()).toBe('1 new message ↓');
    expect(await page.title()).toBe('(1) Archive · Sameroom');
    await pill.click();
    await until('the view at the bottom', async () => (await distanceFromBottom(page)) < 2);
    expect(await pill.isHidden()).toBe(true);
    expect(await page.title()).toBe('Archive · Sameroom');
    await other.close();
  }, 180_000);

  it('keeps the newest message in view while a picture in the history loads', async () => {
    const stored = await kit.tb.bridge.files.put('photo.png', 'image/png', PNG);
    const id = (await rooms.create('Pictures')).id;
    const who = { id: 'upat', name: 'Pat' };
    for (let i = 1; i <= 40; i++) {
      await rooms.append(id, { id: `pic${String(i).padStart(4, '0')}`, ts: Date.now() - (40 - i) * 1000, kind: 'user', author: who, text: i === 38 ? 'a photo' : `line ${i}`, files: i === 38 ? [fileRef(stored)] : [] });
    }
    const page = await newPerson(browser);
    await page.route('**/files/**', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await page.goto(`${kit.tb.url}/r/${id}`);
    await pickName(page, 'Viewer');
    await page.locator('.msg', { hasText: 'line 40' }).waitFor();
    const thumb = page.locator('img.thumb');
    // The picture's box is there before its bytes.
    expect(await thumb.evaluate((img) => img.getBoundingClientRect().height)).toBe(180);
    await until('the picture loaded', () => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));
    expect(await distanceFromBottom(page)).toBeLessThan(2);
  });
});
