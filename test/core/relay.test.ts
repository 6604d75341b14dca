/** The relay's promises: no duplicates, no loops, safe mentions, limits, files, replies. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteMessageId } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

describe('relay', () => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it('drops a platform redelivering the same event', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', 'once', { eventId: 'evt-1' });
    await a.ingest({ kind: 'post', room: a.ref('x'), eventId: 'evt-1', id: 'alpha-999' as RemoteMessageId, author: { id: 'ann', name: 'Ann' }, text: 'once' });
    await tb.settle();
    expect(b.lines('y').filter((l) => l.endsWith('once'))).toHaveLength(1);
  });

  it('never relays its own copies back, so no loop forms', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', 'ping-pong');
    await tb.settle();
    const copy = b.room('y').at(-1);
    expect(copy?.text).toBe('**Ann**: ping-pong');
    // The platform reports the bridge's own copy as a new message (as Slack and Discord do).
    await b.ingest({ kind: 'post', room: b.ref('y'), eventId: 'echo-1', id: copy!.id, author: { id: 'bridge', name: 'bridge-bot' }, text: copy!.text });
    await tb.settle();
    expect(a.lines('x').filter((l) => l.includes('ping-pong'))).toHaveLength(1);
  });

  it('defuses mass mentions in every copy', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta', { impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', 'hey @everyone and @here, also @channel');
    await tb.settle();
    const text = b.room('y').at(-1)?.text ?? '';
    expect(text).not.toMatch(/@(everyone|here|channel)\b/);
    expect(text.replace(/\u200b/g, '')).toBe('hey @everyone and @here, also @channel');
  });

  it("splits text to the target's limit and follows edits into every part", async () => {
    const a = new TestBot('alpha', { maxTextLength: 10_000 });
    const b = new TestBot('beta', { maxTextLength: 50, impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const id = await a.says('x', 'Ann', words);
    await tb.settle();
    const parts = b.room('y').filter((m) => m.as === 'Ann');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(50);
    expect(parts.map((p) => p.text).join(' ')).toBe(words);
    await a.deletes('x', id);
    await tb.settle();
    expect(b.room('y').filter((m) => m.as === 'Ann')).toHaveLength(0);
  });

  it('stores files once and uploads them where they fit, links them where they do not', async () => {
    const a = new TestBot('alpha');
    const small = new TestBot('small', { maxFileBytes: 10 });
    tb = await startTestBridge({ store: 'embedded', bots: [a, small] });
    await link(tb, a, 'x', small, 'y');
    const data = new TextEncoder().encode('twenty bytes of data');
    await a.says('x', 'Ann', 'see file', { files: [{ name: 'notes.txt', mime: 'text/plain', data }] });
    await tb.settle();
    const copy = small.room('y').at(-1);
    expect(copy?.files).toEqual([]);
    const url = /\((http[^)]+\/files\/[^)]+)\)/.exec(copy?.text ?? '')?.[1];
    expect(url).toBeDefined();
    const res = await fetch(url!.replace(tb.config.publicUrl, tb.url));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('twenty bytes of data');
    expect(res.headers.get('content-disposition')).toContain('attachment');
  });

  it('refuses files over MAX_FILE_MB with a note instead of losing the message', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store: 'embedded', bots: [a, b], env: { MAX_FILE_MB: '1' } });
    await link(tb, a, 'x', b, 'y');
    await a.ingest({
      kind: 'post', room: a.ref('x'), eventId: 'big', id: 'alpha-big' as RemoteMessageId, author: { id: 'ann', name: 'Ann' }, text: 'huge attached',
      attachments: [{ name: 'huge.bin', mime: 'application/octet-stream', size: 5 * 1048576, fetch: async () => { throw new Error('must not download'); } }],
    });
    await tb.settle();
    expect(b.lines('y').at(-1)).toBe('bridge-bot: Ann: huge attached\n(file huge.bin not bridged: larger than 1 MB)');
  });

  it('quotes the original where the target has no replies', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta', { replies: false });
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    const first = await a.says('x', 'Ann', 'what time is lunch?');
    await a.says('x', 'Bo', 'noon', { replyTo: first });
    await tb.settle();
    expect(b.lines('y').at(-1)).toBe('bridge-bot: > Ann: what time is lunch?\nBo: noon');
  });
});
