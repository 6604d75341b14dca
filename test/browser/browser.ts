/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
 * playwright-core. Without a browser the suites fail with the install line (.ci/run installs it). With SCREENSHOTS=1 tests save pictures to docs/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function launch(): Promise<Browser> {
  if (!hasChromium) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (\`npm test\` does, as root or with sudo) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a context of its own (own localStorage: a different person). */
export async function newPerson(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 960, height: 720 } });
  return ctx.newPage();
}

/** Pick a display name in an open room page and wait until joined. */
export async function pickName(page: Page, name: string): Promise<void> {
  await page.fill('#name-input', name);
  await page.click('#name-submit');
  await page.locator('#you', { hasText: name }).waitFor();
  await page.locator('#room-title').filter({ hasText: /\S/ }).waitFor();
}

/** Make a room from the home page, as a person would, and join it. */
export async function createRoomInPage(page: Page, base: string, room: string, name: string): Promise<string> {
  await page.goto(`${base}/`);
  await page.fill('#room-name', room);
  await page.click('#create-form button');
  await page.waitForURL(/\/r\/[a-z0-9]+$/);
  await pickName(page, name);
  return page.url();
}

/** Type a line in the chat box and send it with Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** Save a screenshot under docs/screenshots/ when SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}${name}.png`, fullPage: false });
}
