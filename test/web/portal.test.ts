/** Portal and map pages over HTTP: content, guest chat, admin close, SVG of a same room, expiry. */
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { toPlain } from '../../src/markup.js';
import { roomKey } from '../../src/model.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, createRoom, startWeb, until, type WebKit } from './helpers.js';

interface Portal {
  readonly path: string;
  readonly admin: string;
}

function portalOf(answer: string): Portal {
  const m = /\/portal\/([A-Za-z0-9_-]+)\?admin=([A-Za-z0-9_-]+)/.exec(answer);
  if (!m?.[1] || !m[2]) throw new Error(`no portal in: ${answer}`);
  return { path: `/portal/${m[1]}`, admin: m[2] };
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual',
});

describe('portal and map', () => {
  let kit: WebKit | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await kit?.stop();
    kit = undefined;
  });

  async function pair(a: TestBot, ac: string, b: TestBot, bc: string): Promise<void> {
    await a.says(ac, 'Ann', '-sameroom open');
    await b.says(bc, 'Bob', `-sameroom connect ${codeIn(a.lines(ac).at(-1) ?? '')}`);
    await kit?.tb.settle();
  }

  it('shows the same room, how to connect, the log; lets a guest join; closes links with the admin link only', async () => {
    const alpha = new TestBot('alpha');
    const beta = new TestBot('beta');
    kit = await startWeb({ bots: [alpha, beta] });
    const { tb } = kit;
    const base = tb.url;
    await pair(alpha, 'general', beta, '<b>lobby</b>');
    await alpha.says('general', 'Ann', '-sameroom portal');
    // The admin link reaches Ann alone; the room sees the public page's link.
    const portal = portalOf(toPlain(alpha.lastPrivate('general', 'Ann')));
    expect(toPlain(alpha.room('general').at(-1)?.text ?? '')).not.toContain('admin=');

    const res = await fetch(`${base}${portal.path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    // The public page: the room's name and its guest chat, nothing else.
    expect(html).toContain('#general');
    expect(html).toContain('Join the chat');
    expect(html).not.toContain('lobby');
    expect(html).not.toMatch(/connect-line|Security log|<svg|Close<\/button>/);

    const adminHtml = await (await fetch(`${base}${portal.path}?admin=${portal.admin}`)).text();
    expect(adminHtml).toContain('#&lt;b&gt;lobby&lt;/b&gt;');
    expect(adminHtml).not.toContain('<b>lobby');
    expect(adminHtml).toMatch(new RegExp(`-sameroom connect ${tb.config.publicUrl}/connect/[A-Za-z0-9_-]{24}`));
    expect(adminHtml).not.toContain(`connect ${tb.config.publicUrl}${portal.path}`);
    expect(adminHtml).toMatch(/portal in #general \(alpha\) by alpha:ann \(Ann\)/);
    expect(adminHtml).toMatch(/ connect in #general/);
    expect((adminHtml.match(/<g class="node( focus)?" /g) ?? []).length).toBe(2);
    // The connect link is revocable from the admin page (admin token needed).
    const connectOf = (html: string): string => /connect (http\S+\/connect\/[A-Za-z0-9_-]+)/.exec(html)?.[1] ?? '';
    const firstConnect = connectOf(adminHtml);
    expect((await fetch(`${base}${portal.path}/connect-link`, form({ admin: 'wrong' }))).status).toBe(403);
    expect(connectOf(await (await fetch(`${base}${portal.path}?admin=${portal.admin}`)).text())).toBe(firstConnect);
    const replaced = await fetch(`${base}${portal.path}/connect-link`, form({ admin: portal.admin }));
    expect(replaced.status).toBe(303);
    const secondConnect = connectOf(await (await fetch(`${base}${portal.path}?admin=${portal.admin}`)).text());
    expect(secondConnect).not.toBe(firstConnect);
    await beta.says('other', 'Bob', `-sameroom connect ${firstConnect}`);
    expect(beta.lines('other').at(-1)).toMatch(/not valid/);

    // A guest joins: a web room is made, linked, and reused for the next guest.
    const join = await fetch(`${base}${portal.path}/join`, form({}));
    expect(join.status).toBe(303);
    const guestPath = join.headers.get('location') ?? '';
    expect(guestPath).toMatch(/^\/r\/[a-z0-9]{22}$/);
    expect((await fetch(`${base}${portal.path}/join`, form({}))).headers.get('location')).toBe(guestPath);
    await tb.settle();
    expect(alpha.lines('general').at(-1)).toMatch(/^bridge-bot: Guests can now chat with this room from its portal \(Guests of #general \(Web\)\)/);
    client = await Client.open(base);
    const welcome = await client.join(guestPath.slice(3), 'Gina');
    expect(welcome.room.name).toBe('Guests of #general');
    await until('the welcome notice', () => client?.shown().find((m) => m.kind === 'system' && toPlain(m.text).startsWith('Welcome! This chat is linked to #general (alpha)')));
    await client.post('Hi, I need help');
    await tb.settle();
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: Gina: Hi, I need help');
    expect(beta.lines('<b>lobby</b>').at(-1)).toBe('bridge-bot: Gina: Hi, I need help');
    await alpha.says('general', 'Ann', 'Happy to help');
    await tb.settle();
    await until('the answer in the guest chat', () => client?.shown().find((m) => m.text === 'Happy to help' && m.author.name === 'Ann'));

    // Admin: wrong token → 403 and nothing changes; right token → the link is closed, both rooms told.
    expect((await fetch(`${base}${portal.path}?admin=wrong`)).status).toBe(403);
    const adminPage = await (await fetch(`${base}${portal.path}?admin=${portal.admin}`)).text();
    expect(adminPage).toContain('Links of this room (admin)');
    const tubes = await tb.bridge.tubes.of(roomKey(alpha.ref('general')));
    expect(tubes).toHaveLength(2);
    const toBeta = tubes.find((t) => t.a.startsWith('beta') || t.b.startsWith('beta'));
    expect(adminPage).toContain(`name="tube" value="${toBeta?.id}"`);
    const denied = await fetch(`${base}${portal.path}/close`, form({ admin: `${portal.admin}x`, tube: toBeta?.id ?? '' }));
    expect(denied.status).toBe(403);
    expect((await fetch(`${base}${portal.path}/close`, form({ tube: toBeta?.id ?? '' }))).status).toBe(403);
    expect(await tb.bridge.tubes.of(roomKey(alpha.ref('general')))).toHaveLength(2);
    const closed = await fetch(`${base}${portal.path}/close`, form({ admin: portal.admin, tube: toBeta?.id ?? '' }));
    expect(closed.status).toBe(303);
    expect(closed.headers.get('location')).toBe(`${portal.path}?admin=${portal.admin}`);
    await tb.settle();
    expect(await tb.bridge.tubes.of(roomKey(alpha.ref('general')))).toHaveLength(1);
    expect(alpha.lines('general').at(-1)).toBe("bridge-bot: The link to #<b>lobby</b> (beta) was closed from this room's portal.");
    expect(beta.lines('<b>lobby</b>').at(-1)).toBe('bridge-bot: This room is no longer linked to #general (alpha).');
    const after = await (await fetch(`${base}${portal.path}?admin=${portal.admin}`)).text();
    expect(after).toMatch(/close in #general \(alpha\) by portal:admin/);
    expect((await fetch(`${base}${portal.path}/close`, form({ admin: portal.admin, tube: toBeta?.id ?? '' }))).status).toBe(404);

    // A reset portal link stops working, and its guest chat is unlinked with it.
    await alpha.says('general', 'Ann', '-sameroom portal reset');
    expect((await fetch(`${base}${portal.path}`)).status).toBe(404);
    expect(await tb.bridge.tubes.of(roomKey(alpha.ref('general')))).toHaveLength(0);
    expect((await fetch(`${base}/portal/nosuchportalsecret00`)).status).toBe(404);
  });

  it('draws the map of a 3-room same room with direction arrows, and 404s an expired link', async () => {
    const alpha = new TestBot('slack');
    const beta = new TestBot('discord');
    kit = await startWeb({ bots: [alpha, beta] });
    const { tb } = kit;
    const id = await createRoom(tb.url, 'Web desk');
    client = await Client.open(tb.url);
    await client.join(id, 'Sam');
    await client.post('-sameroom open');
    const code = codeIn((await client.next('message', (f) => f.message.kind === 'system')).message.text);
    await alpha.says('general', 'Ann', `-sameroom connect ${code}`);
    await pair(alpha, 'general', beta, 'news');
    await beta.says('news', 'Bob', '-sameroom direction in');
    await client.post('-sameroom map');
    const answer = (await client.next('message', (f) => f.message.kind === 'system' && f.message.text.includes('/map/'))).message.text;
    const path = /\/map\/[A-Za-z0-9_-]+/.exec(answer)?.[0] ?? '';

    const res = await fetch(`${tb.url}${path}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const nodes = [...html.matchAll(/<g class="node[^"]*" data-room="([^"]+)" data-platform="([^"]+)"/g)].map((m) => m[2]);
    expect(nodes.sort()).toEqual(['discord', 'slack', 'web']);
    expect(html).toContain('Web desk');
    expect((html.match(/<line class="edge"/g) ?? []).length).toBe(2);
    const flows = [...html.matchAll(/data-flow="([a-z-]+)"/g)].map((m) => m[1]);
    expect(flows).toContain('both');
    expect(flows.filter((f) => f === 'a-b' || f === 'b-a')).toHaveLength(1); // the receive-only room
    expect(html).toContain('receives only');
    expect(html).toContain('marker-end="url(#arrow)"');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);

    // Expired and unknown links.
    const token = 'expiredmaptoken0000000';
    await tb.bridge.store.set(keys.mapLink(token), roomKey(alpha.ref('general')), 1);
    await new Promise((r) => setTimeout(r, 10));
    const expired = await fetch(`${tb.url}/map/${token}`);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('map links last 24 hours');
    expect((await fetch(`${tb.url}/map/<script>`)).status).toBe(404);
  });
});
