import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';
import { alice, callbackOf, startBridge, type Bridge } from './setup.js';

let fake: FakeGroupMe;
const open: Bridge[] = [];

beforeEach(async () => {
  fake = await startFakeGroupMe({ maxPerPage: 2 });
  fake.addGroup('g1', 'Family');
  fake.addGroup('g2', 'Work');
  fake.addGroup('g3', 'Book club');
  fake.addGroup('other', 'Not ours').members.delete(fake.account.id);
});

afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  await fake.close();
});

const start = async (...args: Parameters<typeof startBridge> extends [unknown, ...infer R] ? R : never) => {
  const b = await startBridge(fake, ...args);
  open.push(b);
  return b;
};

const stop = async (b: Bridge) => {
  open.splice(open.indexOf(b), 1);
  await b.close();
};

const creates = () => fake.calls.filter((c) => c.route === 'bots.create').length;

describe('GroupMe group discovery', () => {
  it('creates one bot per group the account is in, across pages, with a secret callback under PUBLIC_URL', async () => {
    const b = await start();
    for (const g of ['g1', 'g2', 'g3']) expect(fake.botsIn(g)).toHaveLength(1);
    expect(fake.botsIn('other')).toHaveLength(0);
    const urls = [...fake.bots.values()].map((x) => x.callback_url ?? '');
    for (const url of urls) {
      expect(url.startsWith(`${b.publicUrl}/groupme/`)).toBe(true);
      expect(url.slice(`${b.publicUrl}/groupme/`.length).length).toBeGreaterThanOrEqual(32);
    }
    expect(new Set(urls).size).toBe(3);
    expect(fake.calls.every((c) => c.authorized)).toBe(true);
    const saved = JSON.parse(b.harness.state.get('bot:g1') ?? '{}') as { bot_id?: string; path?: string };
    expect(saved.bot_id).toBe(fake.botsIn('g1')[0]?.bot_id);
    expect(callbackOf(fake, 'g1').endsWith(`/${saved.path}`)).toBe(true);
  });

  it('reuses its bots after a restart: no duplicates, and the group still reaches it', async () => {
    const first = await start();
    const ids = [...fake.bots.keys()].sort();
    const state = new Map(first.harness.state);
    await stop(first);

    const second = await start({ port: first.port, state });
    expect([...fake.bots.keys()].sort()).toEqual(ids);
    expect(creates()).toBe(3);
    await fake.userPosts('g2', { user: alice, text: 'still here' });
    await second.harness.waitFor((e) => e.kind === 'post' && e.text === 'still here');
  });

  it('reuses its bots when the state was lost, finding them through GET /bots', async () => {
    const first = await start();
    const before = [...fake.bots.values()].map((x) => [x.bot_id, x.callback_url]).sort();
    await stop(first);

    const second = await start({ port: first.port });
    expect([...fake.bots.values()].map((x) => [x.bot_id, x.callback_url]).sort()).toEqual(before);
    expect(creates()).toBe(3);
    expect(second.harness.state.get('bot:g3')).toContain(fake.botsIn('g3')[0]?.bot_id);
    await fake.userPosts('g3', { user: alice, text: 'found you' });
    await second.harness.waitFor((e) => e.kind === 'post' && e.text === 'found you');
  });

  it('leaves bots with another callback alone and destroys duplicates of its own', async () => {
    const first = await start();
    await stop(first);
    const mine = fake.botsIn('g1')[0];
    // Someone else's bot of this account, and a duplicate of ours (two processes raced).
    const foreign = { ...mine!, bot_id: 'foreign', callback_url: 'https://elsewhere.example/hook' };
    const duplicate = { ...mine!, bot_id: '0-duplicate', callback_url: `${mine!.callback_url}x` };
    fake.bots.set(foreign.bot_id, foreign);
    fake.bots.set(duplicate.bot_id, duplicate);

    await start({ port: first.port, state: new Map([['bot:g1', JSON.stringify({ bot_id: mine!.bot_id, path: callbackOf(fake, 'g1').split('/').pop() })]]) });
    expect(fake.botsIn('g1').map((x) => x.bot_id).sort()).toEqual([mine!.bot_id, 'foreign'].sort());
  });

  it('finds new groups on its interval, forgets groups it left, and stops its timer on stop', async () => {
    const b = await start({ config: { syncIntervalMs: 20 } });
    fake.addGroup('g4', 'New group');
    fake.leaveGroup('g1');
    await vi.waitFor(() => expect(fake.botsIn('g4')).toHaveLength(1), { timeout: 5000, interval: 10 });
    await vi.waitFor(() => expect(b.harness.state.has('bot:g1')).toBe(false), { timeout: 5000, interval: 10 });
    await expect(b.bot.say({ platform: 'groupme', channel: 'g1' }, 'hello?')).rejects.toMatchObject({ code: 'not_found' });

    await stop(b);
    const listed = fake.calls.filter((c) => c.route === 'groups').length;
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.calls.filter((c) => c.route === 'groups').length).toBe(listed);
  });

  it('hears a group whose bot another bridge process made, through the shared state', async () => {
    const b = await start();
    fake.addGroup('g9', 'Set up by the other process');
    // Process A shares B's state and PUBLIC_URL (a load balancer in front of both).
    await start({ ctx: (ctx) => ({ ...ctx, state: b.harness.ctx.state, publicUrl: b.publicUrl }) });
    expect(fake.botsIn('g9')).toHaveLength(1);
    expect(creates()).toBe(4);
    await fake.userPosts('g9', { user: alice, text: 'via B' });
    await b.harness.waitFor((e) => e.kind === 'post' && e.text === 'via B');
  });

  it('sets up a group the account just joined when a message is sent there', async () => {
    const b = await start();
    fake.addGroup('g5', 'Joined just now');
    const ids = await b.bot.say({ platform: 'groupme', channel: 'g5' }, 'hi');
    expect(ids).toHaveLength(1);
    expect(fake.posted('g5').map((m) => m.text)).toEqual(['hi']);
  });

  it('refuses to start with a bad token, without printing it', async () => {
    const err: unknown = await startBridge(fake, { config: { accessToken: 'wrong-secret-token' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).code).toBe('forbidden');
    expect((err as DeliveryError).message).not.toContain('wrong-secret-token');
    expect(fake.calls.some((c) => !c.authorized)).toBe(true);
  });

  it('starts when GroupMe is down and sets the groups up once it is back', async () => {
    fake.failNext('groups', { status: 503 });
    const b = await start();
    expect(fake.bots.size).toBe(0);
    await b.bot.sync();
    expect(fake.bots.size).toBe(3);
  });
});
