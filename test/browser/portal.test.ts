/** A guest joins a room through its portal link in a browser; the map shows every room of a same room. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { toPlain } from '../../src/markup.js';
import { TestBot } from '../helpers/test-bot.js';
import { codeIn, startWeb, until, type WebKit } from '../web/helpers.js';
import { createRoomInPage, launch, newPerson, pickName, say, screenshot } from './browser.js';

describe('portal and map in a browser', () => {
  let browser: Browser;
  let kit: WebKit;
  const slack = new TestBot('slack');
  const discord = new TestBot('discord');
  const telegram = new TestBot('telegram');
  beforeAll(async () => {
    browser = await launch();
    kit = await startWeb({ bots: [slack, discord, telegram], env: { PUBLIC_URL: 'http://localhost:8080' } });
  });
  afterAll(async () => {
    await browser?.close();
    await kit?.stop();
  });

  const lastText = (bot: TestBot, room: string): string => toPlain(bot.room(room).at(-1)?.text ?? '');

  it('lets a guest join the conversation from the portal link', async () => {
    await slack.says('support', 'Ann', '-sameroom portal');
    const path = /\/portal\/[A-Za-z0-9_-]+/.exec(lastText(slack, 'support'))?.[0] ?? '';
    const guest = await newPerson(browser);
    await guest.goto(`${kit.tb.url}${path}`);
    expect(await guest.locator('h1').textContent()).toContain('#support');
    // The public page shows the room and its guest chat only: no connect line, no log, no map.
    expect(await guest.locator('#connect-line, #log, #same-room').count()).toBe(0);
    await screenshot(guest, 'portal');
    await guest.click('#join-button');
    await guest.waitForURL(/\/r\/[a-z0-9]+$/);
    await pickName(guest, 'Gina Guest');
    expect(await guest.locator('#room-title').textContent()).toBe('Guests of #support');
    await guest.locator('.msg.kind-system', { hasText: 'This chat is linked to #support (slack)' }).waitFor();

    await say(guest, 'Hi, my invoice is wrong');
    await until('the guest’s message in Slack', () => slack.lines('support').includes('bridge-bot: Gina Guest: Hi, my invoice is wrong'));
    await slack.says('support', 'Ann', 'Sorry about that, *fixing* it now');
    const reply = guest.locator('.msg.kind-copy', { hasText: 'fixing' });
    await reply.waitFor();
    expect(await reply.locator('.author').textContent()).toBe('Ann');
    expect(await reply.locator('.body em').textContent()).toBe('fixing');
  });

  it('renders every room of the same room on the map', async () => {
    const base = kit.tb.url;
    const page = await newPerson(browser);
    await createRoomInPage(page, base, 'Website chat', 'Wes');
    const codes = page.locator('.msg.kind-system .body code', { hasText: 'connect' });
    const link = async (from: TestBot, room: string): Promise<void> => {
      const before = await codes.count();
      await say(page, '-sameroom open');
      await codes.nth(before).waitFor();
      const code = codeIn((await codes.nth(before).textContent()) ?? '');
      await from.says(room, 'Ann', `-sameroom connect ${code}`);
    };
    await link(slack, 'general');
    await link(discord, 'community');
    await link(telegram, 'announcements');
    await telegram.says('announcements', 'Tom', '-sameroom direction in');
    await discord.says('community', 'Dan', '-sameroom open');
    await slack.says('random', 'Ann', `-sameroom connect ${codeIn(lastText(discord, 'community'))}`);
    await kit.tb.settle();

    await say(page, '-sameroom map');
    const mapLink = page.locator('.msg.kind-system .body', { hasText: '/map/' }).last();
    await mapLink.waitFor();
    const path = /\/map\/[A-Za-z0-9_-]+/.exec((await mapLink.textContent()) ?? '')?.[0] ?? '';
    const map = await newPerson(browser);
    await map.setViewportSize({ width: 900, height: 620 });
    const res = await map.goto(`${base}${path}`);
    expect(res?.status()).toBe(200);
    const platforms = await map.locator('svg g.node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-platform')));
    expect(platforms.sort()).toEqual(['discord', 'slack', 'slack', 'telegram', 'web']);
    expect(await map.locator('svg line.edge').count()).toBe(4);
    expect(await map.locator('svg g.node.focus text.name').textContent()).toBe('Website chat');
    await screenshot(map, 'map');

    const gone = await map.goto(`${base}/map/nosuchmaptoken00000000`);
    expect(gone?.status()).toBe(404);
  });
});
