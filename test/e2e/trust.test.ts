/**
 * Tenancy and trust through the real Telegram client (fake Bot API) and real web clients, on
 * both stores: each Telegram group and each web room sees only its own security log; members
 * who are not admins are refused; the admin link reaches only the admin who asked; a portal
 * guest can neither close the guest chat nor read the admin link; no page or message shows
 * another room's key.
 */
import { describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { toPlain } from '../../src/markup.js';
import { startFakeTelegram } from '../fakes/telegram/index.js';
import type { StoreKind } from '../helpers/bridge-harness.js';
import { Client, createRoom, until } from '../web/helpers.js';
import { useRig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();
const WAIT = 10_000;

/** No room key (`platform:workspace:channel`) and none of these secrets. */
function leaks(text: string, secrets: readonly string[]): string[] {
  const found = secrets.filter((s) => text.includes(s));
  if (/(telegram|web)(:|%3A)[^ ]*:(-?\d|[a-z0-9]{22})/.test(text)) found.push('a room key');
  return found;
}

describe.each<StoreKind>(['embedded', 'redis'])('trust through Telegram and the web (%s)', (store) => {
  it('two Telegram groups and two web rooms each see only their own log; members are refused admin commands', async () => {
    const f = rig.own(await startFakeTelegram());
    const { world } = f;
    const customers = world.group('Customers');
    const partners = world.group('Partners');
    const alice = world.alice;
    const bob = world.user({ first_name: 'Bob' });
    const carol = world.user({ first_name: 'Carol' });
    world.promote(customers.id, alice, 'creator');
    world.promote(partners.id, bob, 'administrator');
    const tb = await rig.web(createTelegramBot({ token: f.token, apiUrl: f.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 }), { store });
    const said = (chatId: number): string[] => f.botMessages(chatId).map((m) => m.message.text ?? '');
    const answered = (chatId: number, re: RegExp): Promise<void> => waitFor(() => said(chatId).some((t) => re.test(t)), WAIT, `${re} in ${chatId}`);

    // Two web rooms: whoever joins first made it and administers it.
    const deskOne = await createRoom(tb.url, 'Desk One');
    const deskTwo = await createRoom(tb.url, 'Desk Two');
    const sam = rig.own(await Client.open(tb.url));
    await sam.join(deskOne, 'Sam');
    const wes = rig.own(await Client.open(tb.url));
    await wes.join(deskTwo, 'Wes');
    const eve = rig.own(await Client.open(tb.url));
    await eve.join(deskOne, 'Eve');
    const systemSaid = (c: Client): string[] => c.shown().filter((m) => m.kind === 'system').map((m) => toPlain(m.text));
    const webAnswer = async (c: Client, text: string, re: RegExp): Promise<void> => {
      await c.post(text);
      await until(`${re} on the web`, () => systemSaid(c).some((t) => re.test(t)), WAIT);
    };

    // Members are refused, and told who may.
    f.userSays(customers.id, '-sameroom log on', { from: carol });
    await answered(customers.id, /Only an admin of this room can use -sameroom log: on Telegram, the group's creator and administrators\./);
    await webAnswer(eve, '-sameroom log on', /Only an admin of this room can use -sameroom log: on the web, the person who made the room\./);

    // Admins subscribe each room to its log; then each room has events of its own.
    f.userSays(customers.id, '-sameroom log on', { from: alice });
    f.userSays(partners.id, '-sameroom log on', { from: bob });
    await webAnswer(sam, '-sameroom log on', /now receives its security log/);
    await webAnswer(wes, '-sameroom log on', /now receives its security log/);
    await answered(customers.id, /now receives its security log/);
    await answered(partners.id, /now receives its security log/);
    f.userSays(customers.id, '-sameroom open', { from: carol });
    f.userSays(partners.id, '-sameroom open', { from: carol });
    await webAnswer(sam, '-sameroom open', /connect [A-Z0-9]{4}-/);
    await webAnswer(wes, '-sameroom open', /connect [A-Z0-9]{4}-/);
    f.userSays(partners.id, '-sameroom close 1', { from: carol });
    await answered(partners.id, /Only an admin of this room can use -sameroom close/);
    await answered(customers.id, /🔒 .* open in Customers \(Telegram\) by telegram:\d+ \(Carol\): code issued/);
    await answered(partners.id, /🔒 .* open in Partners \(Telegram\) by telegram:\d+ \(Carol\): code issued/);
    await answered(partners.id, /🔒 .* refused in Partners \(Telegram\) by telegram:\d+ \(Carol\): close: not an admin/);
    await webAnswer(eve, '-sameroom disable', /Only an admin of this room can use -sameroom disable/);
    await until('Desk One’s log', () => systemSaid(sam).some((t) => /🔒 .* refused in Desk One \(Web\) by web:u[\w-]+ \(Eve\): disable/.test(t)), WAIT);
    await until('Desk One’s log', () => systemSaid(sam).some((t) => /🔒 .* open in Desk One \(Web\)/.test(t)), WAIT);
    await until('Desk Two’s log', () => systemSaid(wes).some((t) => /🔒 .* open in Desk Two \(Web\)/.test(t)), WAIT);
    await tb.settle();

    // Each room's log names only itself.
    const logOf = (lines: string[]): string => lines.filter((t) => t.includes('🔒')).join('\n');
    const logs = {
      customers: logOf(said(customers.id)),
      partners: logOf(said(partners.id)),
      deskOne: logOf(systemSaid(sam)),
      deskTwo: logOf(systemSaid(wes)),
    };
    const names = { customers: 'Customers', partners: 'Partners', deskOne: 'Desk One', deskTwo: 'Desk Two' };
    for (const [room, log] of Object.entries(logs)) {
      for (const [other, name] of Object.entries(names)) if (other !== room) expect(log, `${room} shows ${name}`).not.toContain(name);
    }
    // Neither a key nor a web room's id reaches any room.
    const secrets = [deskOne, deskTwo];
    for (const text of [...said(customers.id), ...said(partners.id), ...systemSaid(sam), ...systemSaid(wes), ...systemSaid(eve)]) expect(leaks(text, secrets)).toEqual([]);
  });

  it('the admin link reaches only the admin who asked; a portal guest cannot close the guest chat or read it', async () => {
    const f = rig.own(await startFakeTelegram());
    const { world } = f;
    const customers = world.group('Customers');
    const alice = world.alice;
    const carol = world.user({ first_name: 'Carol' });
    world.promote(customers.id, alice, 'creator');
    const tb = await rig.web(createTelegramBot({ token: f.token, apiUrl: f.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 }), { store });
    const said = (chatId: number): string[] => f.botMessages(chatId).map((m) => m.message.text ?? '');
    const answered = (chatId: number, re: RegExp): Promise<void> => waitFor(() => said(chatId).some((t) => re.test(t)), WAIT, `${re} in ${chatId}`);

    // Telegram: no private chat yet, so no admin link anywhere; the answer says how to get it.
    f.userSays(customers.id, '-sameroom portal', { from: alice });
    await answered(customers.id, /I cannot send you the admin link privately here: open a direct chat with me/);
    world.privateChat(alice);
    f.userSays(customers.id, '-sameroom portal', { from: alice });
    await answered(customers.id, /I sent you its admin link in a private chat with me\./);
    await answered(alice.id, /admin=/);
    const adminText = said(alice.id).find((t) => t.includes('admin=')) ?? '';
    const adminUrl = /(http\S+\?admin=[\w-]+)/.exec(adminText)?.[1] ?? '';
    const connectUrl = /connect (http\S+\/connect\/[\w-]+)/.exec(adminText)?.[1] ?? '';
    // Links carry PUBLIC_URL; the test server listens on another port.
    const local = (url: string): string => url.replace(/^https?:\/\/[^/]+/, tb.url);
    const publicUrl = adminUrl.replace(/\?admin=.*/, '');
    expect(said(customers.id).join('\n')).not.toMatch(/admin=|\/connect\//);
    f.userSays(customers.id, '-sameroom portal', { from: carol });
    await answered(customers.id, /Only an admin of this room can get the admin link of the portal/);

    // A web room links through the connect link (not the public portal URL).
    const desk = await createRoom(tb.url, 'Desk');
    const sam = rig.own(await Client.open(tb.url));
    await sam.join(desk, 'Sam');
    await sam.post(`-sameroom connect ${publicUrl}`);
    await until('refusal', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('not valid')), WAIT);
    await sam.post(`-sameroom connect ${connectUrl}`);
    await until('linked', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to Customers (Telegram)')), WAIT);

    // The public page: the name and the guest chat only. A guest joins.
    const page = await (await fetch(local(publicUrl))).text();
    expect(page).toContain('Customers');
    expect(page).not.toMatch(/Desk|connect-line|Security log|<svg/);
    const join = await fetch(`${local(publicUrl)}/join`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const guestPath = join.headers.get('location') ?? '';
    const gina = rig.own(await Client.open(tb.url));
    await gina.join(guestPath.slice(3), 'Gina');
    for (const cmd of ['close 1', 'disable', 'portal', 'log on']) {
      await gina.post(`-sameroom ${cmd}`);
      await until(`refusal of ${cmd}`, () => gina.shown().filter((m) => m.kind === 'system' && toPlain(m.text).startsWith('In a guest chat you can talk')).length >= 1, WAIT);
    }
    await tb.settle();
    expect(gina.shown().some((m) => m.text.includes('admin='))).toBe(false);
    // The guest chat stays open for everyone.
    const again = await fetch(`${local(publicUrl)}/join`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(again.headers.get('location')).toBe(guestPath);

    // Web: the admin link goes to Sam's browser only, and is not kept in the room.
    const eve = rig.own(await Client.open(tb.url));
    await eve.join(desk, 'Eve');
    await sam.post('-sameroom portal');
    await until('private admin link', () => sam.shown().some((m) => m.text.includes('admin=')), WAIT);
    await tb.settle();
    expect(eve.shown().some((m) => m.text.includes('admin='))).toBe(false);
    const later = rig.own(await Client.open(tb.url));
    const welcome = await later.join(desk, 'Lou');
    expect(welcome.history.some((m) => m.text.includes('admin='))).toBe(false);

    // No page the admin link opens, no map, and nothing Telegram received shows a room key or the web rooms' ids.
    const adminPage = await (await fetch(local(adminUrl))).text();
    expect(adminPage).toContain('Desk (Web)');
    const secrets = [desk, guestPath.slice(3)];
    expect(leaks(adminPage, secrets)).toEqual([]);
    await sam.post('-sameroom map');
    const mapPath = await until('map link', () => sam.shown().map((m) => /\/map\/[\w-]+/.exec(m.text)?.[0]).find(Boolean), WAIT);
    const mapHtml = await (await fetch(`${tb.url}${mapPath}`)).text();
    expect(mapHtml).toContain('data-room="r1"');
    expect(leaks(mapHtml, secrets)).toEqual([]);
    for (const text of [...said(customers.id), ...said(alice.id)]) expect(leaks(text, secrets)).toEqual([]);
  });
});
