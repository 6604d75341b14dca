/**
 * A web room's history in pages, and posts that arrive more than once: the newest page on join,
 * older pages down to the first kept message (deleted ones skipped, the cap respected), and a
 * post repeated with the same `cid` — on the same connection, a new one, or after a restart —
 * stored, shown and relayed once.
 */
import { describe, expect, it } from 'vitest';
import type { WireMessage } from '../../bots/web/protocol.js';
import { keys } from '../../src/keys.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, createRoom, newKey, perTest } from './helpers.js';

/** Posting many messages in a row is not what the rate limit is being tested for here. */
const FAST = { capacity: 1000, perSecond: 1000 };

describe('web history pages and repeated posts', () => {
  const { start, open, closeClients } = perTest();

  /** Every page from the newest to the first, as a reader scrolling up would get them. */
  async function readAll(c: Client, welcome: { history: readonly WireMessage[]; more: boolean; cursor?: number }): Promise<{ texts: string[]; pages: number }> {
    let texts = welcome.history.map((m) => m.text);
    let { more, cursor } = welcome;
    let pages = 1;
    while (more) {
      if (cursor === undefined) throw new Error('more pages but no cursor');
      const before = cursor;
      c.send({ type: 'older', before });
      const page = await c.next('history', (f) => f.before === before);
      texts = [...page.messages.map((m) => m.text), ...texts];
      ({ more, cursor } = page);
      pages++;
    }
    return { texts, pages };
  }

  it('gives the newest page on join and older pages down to the first message, deleted ones left out', async () => {
    const kit = await start({ web: { historyPage: 20, frameRate: FAST } });
    const id = await createRoom(kit.tb.url, 'Long');
    const a = await open();
    await a.join(id, 'Ann');
    const posted: WireMessage[] = [];
    for (let i = 1; i <= 65; i++) posted.push(await a.post(`m${i}`));
    // A run of deletes longer than a page still ends in the right place.
    for (const m of posted.slice(9, 35)) {
      a.send({ type: 'delete', id: m.id });
      await a.next('delete', (f) => f.id === m.id);
    }
    const b = await open();
    const welcome = await b.join(id, 'Bob');
    expect(welcome.history.map((m) => m.text)).toEqual(posted.slice(45).map((m) => m.text));
    expect(welcome.more).toBe(true);
    const expected = [...posted.slice(0, 9), ...posted.slice(35)].map((m) => m.text);
    const { texts } = await readAll(b, welcome);
    expect(texts).toEqual(expected);
    expect(b.errors()).toEqual([]);
  });

  it('stops at the history cap and says the room starts there', async () => {
    const kit = await start({ web: { historyPage: 10, historyCap: 25, frameRate: FAST } });
    const id = await createRoom(kit.tb.url, 'Capped');
    const a = await open();
    await a.join(id, 'Ann');
    for (let i = 1; i <= 40; i++) await a.post(`m${i}`);
    const b = await open();
    const { texts } = await readAll(b, await b.join(id, 'Bob'));
    expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => `m${i + 16}`));
  });

  it('pages past a long run of messages gone with age', async () => {
    const kit = await start({ web: { historyPage: 10, frameRate: FAST } });
    const id = await createRoom(kit.tb.url, 'Aged');
    const a = await open();
    await a.join(id, 'Ann');
    const posted: WireMessage[] = [];
    for (let i = 1; i <= 150; i++) posted.push(await a.post(`m${i}`));
    // What expiry does: the records go, their ids stay in the list until the cap pushes them out.
    for (const m of posted.slice(5, 130)) await kit.tb.bridge.store.del(keys.webMessage(id, m.id));
    const b = await open();
    const { texts } = await readAll(b, await b.join(id, 'Bob'));
    expect(texts).toEqual([...posted.slice(0, 5), ...posted.slice(130)].map((m) => m.text));
  });

  it('refuses a cursor that is not a whole number', async () => {
    const kit = await start();
    const id = await createRoom(kit.tb.url, 'Cursor');
    const a = await open();
    const welcome = await a.join(id, 'Ann');
    expect(welcome).toMatchObject({ history: [], more: false });
    for (const before of ['5', -1, 1.5, null]) a.send({ type: 'older', before });
    await a.next('error');
    await a.next('error');
    await a.next('error');
    await a.next('error');
    expect(a.errors()).toEqual(['bad_frame', 'bad_frame', 'bad_frame', 'bad_frame']);
  });

  it('stores a post repeated with the same cid once, answers the sender each time, relays one copy, even across a restart', async () => {
    const alpha = new TestBot('alpha');
    const kit = await start({ bots: [alpha] });
    const { tb } = kit;
    const id = await createRoom(tb.url, 'Outbox');
    const key = newKey();
    const sam = await open();
    await sam.join(id, 'Sam', key);
    await sam.post('-sameroom open');
    const code = codeIn((await sam.next('message', (f) => f.message.kind === 'system')).message.text);
    await alpha.says('general', 'Ann', `-sameroom connect ${code}`);
    await tb.settle();

    const watcher = await open();
    await watcher.join(id, 'Wat');
    const cid = 'cid-0123456789abcdef';
    sam.send({ type: 'post', text: 'only once', cid });
    sam.send({ type: 'post', text: 'only once', cid });
    const first = await sam.next('message', (f) => f.nonce === cid);
    const second = await sam.next('message', (f) => f.nonce === cid);
    expect(second.message.id).toBe(first.message.id);

    // Another tab of the same browser (same key) sends it again: still the same message.
    const tab = await open();
    await tab.join(id, 'Sam', key);
    tab.send({ type: 'post', text: 'only once', cid });
    expect((await tab.next('message', (f) => f.nonce === cid)).message.id).toBe(first.message.id);
    // A stranger using the same cid makes a message of their own.
    const eve = await open();
    await eve.join(id, 'Eve');
    eve.send({ type: 'post', text: 'mine', cid });
    expect((await eve.next('message', (f) => f.nonce === cid)).message.id).not.toBe(first.message.id);
    await tb.settle();

    // Restart on the same data: the repeat is still recognised.
    await closeClients();
    await kit.stop();
    const restarted = await start({ bots: [alpha], dataDir: tb.dataDir });
    const again = await open();
    await again.join(id, 'Sam', key);
    again.send({ type: 'post', text: 'only once', cid });
    expect((await again.next('message', (f) => f.nonce === cid)).message.id).toBe(first.message.id);
    await restarted.tb.settle();

    expect(again.shown().filter((m) => m.text === 'only once')).toHaveLength(1);
    expect(alpha.lines('general').filter((l) => l.endsWith('only once'))).toHaveLength(1);
    expect(watcher.frames.filter((f) => f.type === 'message' && f.message.text === 'only once')).toHaveLength(1);
  });
});
