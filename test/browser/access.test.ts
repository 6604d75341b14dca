/**
 * The web chat for everyone: axe-core finds no violations on the home, room, portal and map
 * pages (light and dark); every action works from the keyboard (focus after joining, arrow keys
 * through messages, their buttons, ArrowUp to edit, delete with undo); links in text and in the
 * bridge's answers are clickable and codes have a copy button; a phone gets visible 44 px
 * targets and no keyboard hint; dark mode follows the system.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../helpers/redis-server.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, startWeb, until, type WebKit } from '../web/helpers.js';
import { createRoomInPage, launch, pickName, say, screenshot } from './browser.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's violations on the page as it is now (its source evaluated, so the page's CSP does not apply). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

describe('the web chat for keyboard, screen reader and phone users', () => {
  let browser: Browser;
  let kit: WebKit;
  let roomUrl = '';
  const slack = new TestBot('slack');
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launch();
    // Links point at the public address; the page itself is opened on loopback, an origin the
    // WebSocket accepts only when the operator lists it.
    const port = await freePort();
    kit = await startWeb({
      bots: [slack],
      web: { frameRate: { capacity: 100, perSecond: 50 } },
      env: { PUBLIC_URL: 'https://chat.example.com', PORT: String(port), WS_ALLOWED_ORIGINS: `http://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await kit?.stop();
  });
  const person = async (opts: Parameters<Browser['newContext']>[0] = {}): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 960, height: 720 }, ...opts });
    contexts.push(ctx);
    return ctx.newPage();
  };

  it('has no axe violations on the home, room, portal and map pages, light or dark', async () => {
    const page = await person();
    await page.goto(`${kit.tb.url}/`);
    expect(await axeViolations(page)).toEqual([]);
    roomUrl = await createRoomInPage(page, kit.tb.url, 'Acme support', 'Robert (Bob)');
    await say(page, 'Hello, see https://example.com/docs?q=1. or write to mailto:help@example.com');
    await say(page, '-sameroom open');
    await page.locator('.msg.kind-system .body code', { hasText: 'connect' }).waitFor();
    await say(page, '-sameroom map');
    const mapLink = page.locator('.msg.kind-system .body a[href*="/map/"]');
    await mapLink.waitFor();
    expect(await page.locator('h1:visible').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await slack.says('support', 'Ann', '-sameroom portal');
    const portalPath = /\/portal\/[A-Za-z0-9_-]+/.exec(slack.lines('support').at(-1) ?? '')?.[0] ?? '';
    const portal = await person();
    await portal.goto(`${kit.tb.url}${portalPath}`);
    expect(await axeViolations(portal)).toEqual([]);
    const mapPath = new URL((await mapLink.getAttribute('href')) ?? '').pathname;
    await portal.goto(`${kit.tb.url}${mapPath}`);
    expect(await axeViolations(portal)).toEqual([]);

    const dark = await person({ colorScheme: 'dark' });
    await dark.goto(roomUrl);
    await pickName(dark, 'Dana');
    await dark.locator('.msg', { hasText: 'Hello, see' }).waitFor();
    expect(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 18, 22)');
    expect(await axeViolations(dark)).toEqual([]);
  });

  it('links URLs in text and in the bridge’s answers, with copy buttons for codes', async () => {
    const page = await person({ permissions: ['clipboard-read', 'clipboard-write'] });
    await createRoomInPage(page, kit.tb.url, 'Links', 'Lee');
    await say(page, 'docs at https://example.com/a_(b)/c?x=1, https://example.com/x_y_z mail mailto:help@example.com; not javascript:alert(1) nor ftp://x.example');
    const body = page.locator('.msg', { hasText: 'docs at' }).locator('.body');
    await body.waitFor();
    expect(await body.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))).toEqual(['https://example.com/a_(b)/c?x=1', 'https://example.com/x_y_z', 'mailto:help@example.com']);
    expect(await body.textContent()).toBe('docs at https://example.com/a_(b)/c?x=1, https://example.com/x_y_z mail mailto:help@example.com; not javascript:alert(1) nor ftp://x.example');

    await say(page, '-sameroom portal');
    // The answer (the public portal link) goes to the room; the admin link only to this browser.
    await page.locator('.msg.kind-system[data-id^="private-"]', { hasText: 'Admin link' }).waitFor();
    const links = (): Promise<string[]> => page.locator('.msg.kind-system .body a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    await expect.poll(async () => (await links()).some((h) => /\/portal\/[A-Za-z0-9_-]+$/.test(h))).toBe(true);
    expect((await links()).some((h) => /\?admin=/.test(h))).toBe(true);

    await say(page, '-sameroom open');
    const open = page.locator('.msg.kind-system', { hasText: 'paste this line there' });
    const copy = open.locator('button.copy');
    await copy.waitFor();
    const line = (await open.locator('.body code', { hasText: 'connect' }).textContent()) ?? '';
    codeIn(line);
    await copy.click();
    await copy.filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => window.navigator.clipboard.readText())).toBe(line);
  });

  it('works from the keyboard: focus after joining, messages and their buttons, ArrowUp edits, delete offers undo', async () => {
    const page = await person();
    const url = await createRoomInPage(page, kit.tb.url, 'Keys', 'Kim');
    const other = await person();
    await other.goto(url);
    expect(await other.locator('#name-why').textContent()).toContain('Keys');
    await other.fill('#name-input', 'Robert (Bob)');
    await other.press('#name-input', 'Enter');
    await other.locator('#you', { hasText: 'Robert (Bob)' }).waitFor();
    expect(await other.evaluate(() => document.activeElement?.id)).toBe('text');
    await say(other, 'first from Bob');
    await page.locator('.msg', { hasText: 'first from Bob' }).waitFor();
    expect(await page.locator('.msg', { hasText: 'first from Bob' }).locator('.avatar').textContent()).toBe('RB');
    await say(page, 'my note');
    await page.locator('.msg.kind-user:not(.pending)', { hasText: 'my note' }).waitFor();

    // From the message box back into the list, up one message, into its buttons.
    await page.focus('#text');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('attach');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('my note');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('first from Bob');
    await page.keyboard.press('Tab');
    const reply = page.locator('.msg', { hasText: 'first from Bob' }).locator('button.reply');
    expect(await reply.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('reply');
    await page.keyboard.press('Enter');
    expect(await page.locator('#context-text').textContent()).toBe('Replying to Robert (Bob)');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');
    await page.keyboard.press('Escape');

    // ArrowUp in the empty box edits my last message; an empty edit is refused with a reason.
    await page.keyboard.press('ArrowUp');
    expect(await page.inputValue('#text')).toBe('my note');
    await page.fill('#text', '   ');
    await page.press('#text', 'Enter');
    await page.locator('#notice', { hasText: 'An edit cannot be empty' }).waitFor();
    await page.fill('#text', 'my note, edited');
    await page.press('#text', 'Enter');
    await other.locator('.msg', { hasText: 'my note, edited' }).locator('.edited').waitFor();

    // Delete offers undo; undone, nothing is deleted; left alone, it is deleted everywhere.
    const mine = page.locator('.msg.kind-user', { hasText: 'my note, edited' });
    await mine.focus();
    await mine.locator('button.delete').focus();
    await page.keyboard.press('Enter');
    const undo = page.locator('.undo button');
    await undo.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Undo');
    await page.keyboard.press('Enter');
    expect(await mine.isVisible()).toBe(true);
    await mine.locator('button.delete').click();
    await other.locator('.msg', { hasText: 'my note, edited' }).waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('fits a phone: a tapped message shows 44 px buttons, no keyboard hint, the newest message in view', async () => {
    const phone = await person({ viewport: { width: 390, height: 760 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    await phone.goto(roomUrl);
    await pickName(phone, 'Pia Phone');
    const hello = phone.locator('.msg', { hasText: 'Hello, see' });
    await hello.waitFor();
    expect(await phone.getAttribute('#text', 'placeholder')).toBe('Message');
    const reply = hello.locator('button.reply');
    await hello.locator('.author').tap();
    expect(await reply.isVisible()).toBe(true);
    for (const target of [reply, phone.locator('#attach'), phone.locator('#send')]) {
      const box = await target.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(box?.width ?? 0).toBeGreaterThanOrEqual(44);
    }
    await phone.fill('#text', 'from my phone');
    await phone.tap('#send');
    await phone.locator('.msg.kind-user:not(.pending)', { hasText: 'from my phone' }).waitFor();
    await until('the newest message in view', () => phone.$eval('#messages', (b) => b.scrollHeight - b.scrollTop - b.clientHeight < 2));
  });

  it.runIf(process.env.SCREENSHOTS === '1')('takes the README pictures: light and dark, desktop and phone', async () => {
    const id = roomUrl.split('/r/')[1] ?? '';
    const ann = await Client.open(kit.tb.url);
    await ann.join(id, 'Ann Archer');
    await ann.post('Morning! The **new pricing page** is live: https://example.com/pricing');
    await ann.post('Can someone check the `checkout` flow on mobile?');
    for (const scheme of ['light', 'dark'] as const) {
      const desk = await person({ colorScheme: scheme });
      await desk.goto(roomUrl);
      await pickName(desk, 'Robert (Bob)');
      await desk.locator('.msg', { hasText: 'checkout' }).waitFor();
      await screenshot(desk, `web-chat-${scheme}`);
      const phone = await person({ colorScheme: scheme, viewport: { width: 390, height: 760 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
      await phone.goto(roomUrl);
      await pickName(phone, 'Pia Phone');
      await phone.locator('.msg', { hasText: 'checkout' }).waitFor();
      await screenshot(phone, `web-chat-phone-${scheme}`);
    }
    await ann.close();
  });
});
