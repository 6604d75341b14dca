/**
 * Two bridge processes on one Redis (one REDIS_PREFIX), each with its own web platform, HTTP
 * server and Redis connections; one browser on each. Whichever process makes a change to the
 * web room (delivers a copy, edits it, deletes it, or takes a browser's post), both browsers
 * see it live, exactly once.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../bots/web/protocol.js';
import type { Bot } from '../../src/bot.js';
import { roomKey, type RoomRef } from '../../src/model.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, createRoom, startWeb, type WebKit } from './helpers.js';

/** How many frames of `type` a client got about message `id`. */
function count(c: Client, type: 'message' | 'update' | 'delete', id: string): number {
  const about = (f: ServerFrame): string | undefined => (f.type === 'delete' ? f.id : f.type === 'message' || f.type === 'update' ? f.message.id : undefined);
  return c.frames.filter((f) => f.type === type && about(f) === id).length;
}

/** [messages, updates, deletes] a client got about message `id`. */
const tally = (c: Client, id: string): number[] => [count(c, 'message', id), count(c, 'update', id), count(c, 'delete', id)];

describe('web rooms across two bridge processes on one Redis', () => {
  const kits: WebKit[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const k of kits.splice(0)) await k.stop();
  });

  /** Two processes sharing one namespace, a web room, and a browser in it on each. */
  const twoProcesses = async (bots: () => Bot[] = () => []) => {
    const prefix = `ws${randomBytes(4).toString('hex')}:`;
    const start = async (id: string): Promise<WebKit> => {
      const kit = await startWeb({ store: 'redis', bots: bots(), env: { REDIS_PREFIX: prefix, PROCESS_ID: id } });
      kits.push(kit);
      return kit;
    };
    const [p1, p2] = [await start('p1'), await start('p2')];
    const roomId = await createRoom(p1.tb.url, 'Shared');
    const browser = async (kit: WebKit, name: string): Promise<Client> => {
      const c = await Client.open(kit.tb.url);
      clients.push(c);
      await c.join(roomId, name);
      return c;
    };
    const [on1, on2] = [await browser(p1, 'Ann'), await browser(p2, 'Bob')];
    return { p1, p2, roomId, room: { platform: 'web', channel: roomId } satisfies RoomRef, on1, on2 };
  };

  it('pushes a copy, its edit and its delete made by one process to the browsers of both, once each', async () => {
    const { p1, p2, room, on1, on2 } = await twoProcesses();
    const post = (text: string) => ({ room, author: { id: 'x1', name: 'Xena' }, text, attachments: [], origin: roomKey({ platform: 'alpha', channel: 'g' }), idempotencyKey: text });
    for (const [deliverer, label] of [
      [p1, 'by p1'],
      [p2, 'by p2'],
    ] as const) {
      const [id] = await deliverer.web.send(post(`copy ${label}`));
      if (!id) throw new Error('no id');
      for (const c of [on1, on2]) {
        const got = await c.next('message', (f) => f.message.id === id);
        expect(got.message).toMatchObject({ kind: 'copy', text: `copy ${label}`, author: { name: 'Xena' } });
        expect(got.nonce).toBeUndefined();
      }
      await deliverer.web.edit({ room, id, author: { id: 'x1', name: 'Xena' }, text: `copy ${label}, edited` });
      for (const c of [on1, on2]) expect((await c.next('update', (f) => f.message.id === id)).message).toMatchObject({ text: `copy ${label}, edited`, edited: true });
      await deliverer.web.delete({ room, id });
      for (const c of [on1, on2]) await c.next('delete', (f) => f.id === id);

      // A later change from the same process arrives after any repeat of the earlier ones would.
      const [marker] = await deliverer.web.say(room, `marker ${label}`);
      for (const c of [on1, on2]) await c.next('message', (f) => f.message.id === marker);
      for (const c of [on1, on2]) {
        expect(tally(c, id)).toEqual([1, 1, 1]);
        expect(tally(c, marker ?? '')).toEqual([1, 0, 0]);
      }
    }
  });

  it('shows a browser’s post, edit and delete on the other process; only the sender gets its nonce', async () => {
    const { on1, on2 } = await twoProcesses();
    const mine = await on2.post('from p2');
    const seen = await on1.next('message', (f) => f.message.id === mine.id);
    expect(seen.message).toMatchObject({ kind: 'user', author: { name: 'Bob' }, text: 'from p2' });
    expect(seen.nonce).toBeUndefined();
    on2.send({ type: 'edit', id: mine.id, text: 'from p2, edited' });
    expect((await on1.next('update', (f) => f.message.id === mine.id)).message.text).toBe('from p2, edited');
    on2.send({ type: 'delete', id: mine.id });
    await on1.next('delete', (f) => f.id === mine.id);
    await on2.next('delete', (f) => f.id === mine.id);
    const marker = await on2.post('marker');
    await on1.next('message', (f) => f.message.id === marker.id);
    for (const c of [on1, on2]) expect(tally(c, mine.id)).toEqual([1, 1, 1]);
  });

  it('relays another platform into the web room live on both, whichever process delivers', async () => {
    // Each process has its own in-memory "alpha"; people talk on p1's.
    const alphas: TestBot[] = [];
    const { p1, p2, on1, on2 } = await twoProcesses(() => {
      const bot = new TestBot('alpha');
      alphas.push(bot);
      return [bot];
    });
    const alpha = alphas[0]!;
    const opened = await on1.post('-sameroom open');
    const answer = await on1.next('message', (f) => f.message.kind === 'system' && f.message.replyTo?.id === opened.id);
    await alpha.says('general', 'Ann', `-sameroom connect ${codeIn(answer.message.text)}`);
    await Promise.all([p1.tb.settle(), p2.tb.settle()]);

    const original = await alpha.says('general', 'Ann', 'hello web');
    const copy = (await on1.next('message', (f) => f.message.text === 'hello web')).message;
    expect((await on2.next('message', (f) => f.message.id === copy.id)).message).toMatchObject({ kind: 'copy', author: { name: 'Ann' } });
    await alpha.edits('general', original, 'hello web, edited');
    for (const c of [on1, on2]) expect((await c.next('update', (f) => f.message.id === copy.id)).message.text).toBe('hello web, edited');
    await alpha.deletes('general', original);
    for (const c of [on1, on2]) await c.next('delete', (f) => f.id === copy.id);
    await alpha.says('general', 'Ann', 'marker');
    for (const c of [on1, on2]) await c.next('message', (f) => f.message.text === 'marker');
    for (const c of [on1, on2]) expect(tally(c, copy.id)).toEqual([1, 1, 1]);
  });
});
