import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Inbound, InboundPost } from '../../src/model.js';
import { OrderedIngest } from '../../src/ordered-ingest.js';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';
import { alice, bob, callbackOf, startBridge, type Bridge } from './setup.js';

let fake: FakeGroupMe;
let bridge: Bridge | undefined;

beforeEach(async () => {
  fake = await startFakeGroupMe();
  fake.addGroup('g1', 'Family', [alice.id, bob.id]);
  fake.addGroup('g2', 'Work', [alice.id]);
});

afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  await fake.close();
});

const posts = (b: Bridge): InboundPost[] => b.harness.events.filter((e): e is InboundPost => e.kind === 'post');

describe('GroupMe inbound', () => {
  it('turns a text message into a post of the group room, escaped as plain text', async () => {
    bridge = await startBridge(fake);
    const { message, statuses } = await fake.userPosts('g1', { user: alice, text: '2*3 = [6] _ok_ > 5' });
    expect(statuses).toEqual([200]);
    const e = await bridge.harness.waitFor((x) => x.id === message.id);
    expect(e).toMatchObject({
      kind: 'post',
      room: { platform: 'groupme', channel: 'g1' },
      eventId: `msg:${message.id}`,
      id: message.id,
      author: { id: alice.id, name: 'Alice', avatarUrl: alice.avatarUrl },
      text: '2\\*3 = \\[6\\] \\_ok\\_ \\> 5',
    });
    expect(e.room).not.toHaveProperty('workspace');
  });

  it('hands images over with a download of their bytes', async () => {
    bridge = await startBridge(fake);
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const url = fake.hostImage(bytes, 'image/png');
    const { message } = await fake.userPosts('g1', { user: bob, text: '', attachments: [{ type: 'image', url }] });
    const e = (await bridge.harness.waitFor((x) => x.id === message.id)) as InboundPost;
    expect(e.text).toBe('');
    expect(e.attachments).toHaveLength(1);
    const [a] = e.attachments ?? [];
    expect(a?.mime).toBe('image/png');
    expect(a?.name).toMatch(/\.png$/);
    expect(await a?.fetch?.()).toEqual(bytes);
  });

  it('downloads only from GroupMe hosts', async () => {
    bridge = await startBridge(fake);
    const { message } = await fake.userPosts('g1', {
      user: bob,
      attachments: [{ type: 'image', url: 'http://127.0.0.1:1/1x1.png.internal' }],
    });
    const e = (await bridge.harness.waitFor((x) => x.id === message.id)) as InboundPost;
    await expect(e.attachments?.[0]?.fetch?.()).rejects.toMatchObject({ code: 'rejected' });
  });

  it('keeps replies as replyTo and mentions as @name text', async () => {
    bridge = await startBridge(fake);
    const { message: first } = await fake.userPosts('g1', { user: alice, text: 'lunch?' });
    const { message: reply } = await fake.userPosts('g1', {
      user: bob,
      text: 'yes Alice, and @Carol_x too',
      attachments: [
        { type: 'reply', reply_id: first.id, base_reply_id: first.id },
        { type: 'mentions', user_ids: [alice.id, '103'], loci: [[4, 5], [15, 8]] },
      ],
    });
    const e = (await bridge.harness.waitFor((x) => x.id === reply.id)) as InboundPost;
    expect(e.replyTo).toBe(first.id);
    expect(e.text).toBe('yes @Alice, and @Carol\\_x too');
  });

  it('drops its own posts echoed back, and GroupMe system messages', async () => {
    bridge = await startBridge(fake);
    const [id] = await bridge.bot.say({ platform: 'groupme', channel: 'g1' }, 'from the bridge');
    await fake.settle();
    // GroupMe did call back with the bot's own post, and the bot answered it...
    const echo = fake.deliveries.find((d) => d.message.id === id);
    expect(echo).toMatchObject({ status: 200, message: { sender_type: 'bot', text: 'from the bridge' } });
    await fake.userPosts('g1', { user: alice, text: 'Alice joined', system: true });
    const { message } = await fake.userPosts('g1', { user: alice, text: 'after' });
    await bridge.harness.waitFor((x) => x.id === message.id);
    // ...but only the person's message was ingested.
    expect(bridge.harness.events.map((x) => x.id)).toEqual([message.id]);
  });

  it('answers 404 to an unknown callback path and 400 to another group on a known one', async () => {
    bridge = await startBridge(fake);
    const body = JSON.stringify({ id: '1', group_id: 'g1', sender_type: 'user', name: 'Mallory', text: 'hi' });
    const post = (url: string, json: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
    expect((await post(`${bridge.publicUrl}/groupme/not-a-real-path`, body)).status).toBe(404);
    const g2 = callbackOf(fake, 'g2');
    expect((await post(g2, body)).status).toBe(400);
    expect(bridge.harness.events).toHaveLength(0);
  });

  it('passes -sameroom commands through and turns @Sameroom into one', async () => {
    bridge = await startBridge(fake);
    const { message: a } = await fake.userPosts('g1', { user: alice, text: '-sameroom connect K7QF-M2XD-9P' });
    const { message: b } = await fake.userPosts('g1', { user: alice, text: '@Sameroom open' });
    const { message: c } = await fake.userPosts('g1', { user: alice, text: '@Sameroomish hello' });
    await bridge.harness.waitFor((x) => x.id === c.id);
    const byId = new Map(posts(bridge).map((p) => [p.id as string, p.text]));
    expect(byId.get(a.id)).toBe('-sameroom connect K7QF-M2XD-9P');
    expect(byId.get(b.id)).toBe('-sameroom open');
    expect(byId.get(c.id)).toBe('@Sameroomish hello');
  });

  it('answers GroupMe before the core has taken the message; an ingest failure is retried in order, never lost', async () => {
    const taken: Inbound[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    let failures = 2;
    const ingest = async (e: Inbound): Promise<void> => {
      await gate;
      if (e.kind === 'post' && e.text === 'boom' && failures-- > 0) throw new Error('core is broken');
      taken.push(e);
    };
    const ordered = new OrderedIngest(log, { baseDelayMs: 5, maxDelayMs: 20 });
    bridge = await startBridge(fake, {
      ctx: (ctx) => ({ ...ctx, log, ingest, ingestInOrder: (e) => ordered.submit(e, ingest) }),
    });
    const one = await fake.userPosts('g1', { user: alice, text: 'one' });
    const boom = await fake.userPosts('g1', { user: alice, text: 'boom' });
    const two = await fake.userPosts('g1', { user: alice, text: 'two' });
    expect([one.statuses, boom.statuses, two.statuses]).toEqual([[200], [200], [200]]);
    expect(taken).toHaveLength(0);
    release();
    await ordered.idle();
    // GroupMe does not call back again: the bridge kept the message and retried it, and the
    // group's next message waited behind it.
    expect(taken.map((e) => e.id)).toEqual([one.message.id, boom.message.id, two.message.id]);
    expect(lines.join('')).toContain('retrying');
    await bridge.bot.stop();
  });
});
