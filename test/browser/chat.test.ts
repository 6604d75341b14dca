/**
 * Two people in two browser rooms pair them from the chat box and talk: messages, replies,
 * edits and deletes show up live on the other side; user text is always shown as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startWeb, type WebKit } from '../web/helpers.js';
import { createRoomInPage, launch, newPerson, say, screenshot } from './browser.js';

describe('web chat in a browser', () => {
  let browser: Browser;
  let kit: WebKit;
  beforeAll(async () => {
    browser = await launch();
    kit = await startWeb();
  });
  afterAll(async () => {
    await browser?.close();
    await kit?.stop();
  });

  it('pairs two web rooms with open/connect and relays messages, replies, edits and deletes live', async () => {
    const base = kit.tb.url;
    const alice = await newPerson(browser);
    const bob = await newPerson(browser);
    await createRoomInPage(alice, base, 'Acme support', 'Alice Archer');
    await createRoomInPage(bob, base, 'Partner desk', 'Bob Brown');

    await say(alice, '-sameroom open');
    const line = (await alice.locator('.msg.kind-system .body code', { hasText: 'connect' }).last().textContent()) ?? '';
    expect(line).toMatch(/^-sameroom connect [A-Z0-9-]{14}$/);
    await say(bob, line);
    await bob.locator('.msg.kind-system', { hasText: 'This room is now linked to Acme support (Web)' }).waitFor();
    await alice.locator('.msg.kind-system', { hasText: 'This room is now linked to Partner desk (Web)' }).waitFor();
    // A connect line has a copy button; a command named in passing does not.
    expect(await alice.locator('.msg.kind-system', { hasText: 'connect' }).first().locator('button.copy').count()).toBe(1);
    expect(await bob.locator('.msg.kind-system', { hasText: 'now linked' }).locator('button.copy').count()).toBe(0);

    await say(alice, 'Hello Bob, the order is **shipped**');
    const copy = bob.locator('.msg.kind-copy', { hasText: 'Hello Bob' });
    await copy.waitFor();
    expect(await copy.locator('.author').textContent()).toBe('Alice Archer');
    expect(await copy.locator('.body strong').textContent()).toBe('shipped');
    expect(await copy.locator('.avatar').textContent()).toBe('AA');
    expect(await copy.locator('.edit').count()).toBe(0);

    await copy.hover();
    await copy.locator('.reply').click();
    await say(bob, 'Great, thanks Alice!');
    const answer = alice.locator('.msg.kind-copy', { hasText: 'Great, thanks Alice!' });
    await answer.waitFor();
    expect(await answer.locator('.reply-ref').textContent()).toContain('Alice Archer');
    expect(await answer.locator('.author').textContent()).toBe('Bob Brown');

    const mine = alice.locator('.msg.kind-user', { hasText: 'Hello Bob' });
    await mine.hover();
    await mine.locator('.edit').click();
    await say(alice, 'Hello Bob, the order is **shipped** (tracking: 1Z999)');
    await bob.locator('.msg.kind-copy', { hasText: 'tracking: 1Z999' }).locator('.edited').waitFor();
    await screenshot(bob, 'web-chat-paired');

    await say(alice, 'a typo message');
    await bob.locator('.msg', { hasText: 'a typo message' }).waitFor();
    const typo = alice.locator('.msg.kind-user', { hasText: 'a typo message' });
    await typo.hover();
    await typo.locator('.delete').click();
    await bob.locator('.msg', { hasText: 'a typo message' }).waitFor({ state: 'detached' });
    await alice.locator('.msg', { hasText: 'a typo message' }).waitFor({ state: 'detached' });
  });

  it('shows HTML and script-like text as text', async () => {
    const base = kit.tb.url;
    const mallory = await newPerson(browser);
    const victim = await newPerson(browser);
    const url = await createRoomInPage(mallory, base, '<img src=x onerror="window.__pwned=1">', '<b onmouseover=alert(1)>Mallory</b>');
    await victim.goto(url);
    await victim.fill('#name-input', 'Victor');
    await victim.click('#name-submit');
    await victim.locator('#you', { hasText: 'Victor' }).waitFor();
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> [link](javascript:evil)';
    await say(mallory, payload);
    const msg = victim.locator('.msg', { hasText: '<img src=x' });
    await msg.waitFor();
    expect(await msg.locator('.body').textContent()).toBe('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> link');
    expect(await msg.locator('.author').textContent()).toBe('<b onmouseover=alert(1)>Mallory</b>');
    expect(await victim.locator('#room-title').textContent()).toBe('<img src=x onerror="window.__pwned=1">');
    expect(await victim.locator('.body img, .body script, .body a, .author b').count()).toBe(0);
    expect(await victim.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});
