/** Any graph of tubes: every other room of a same room gets a message exactly once. */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

const copiesOf = (rooms: Array<[TestBot, string]>, text: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [bot, room] of rooms) out[`${bot.platform}/${room}`] = bot.lines(room).filter((l) => l.endsWith(text)).length;
  return out;
};

describe.each<StoreKind>(['embedded', 'redis'])('topology on the %s store', (store) => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it('six rooms on three platforms with a cycle: each message reaches every other room once; closing a middle tube splits', async () => {
    const p = new TestBot('pa');
    const q = new TestBot('pb', { impersonate: true });
    const r = new TestBot('pc');
    tb = await startTestBridge({ store, bots: [p, q, r] });
    const rooms: Array<[TestBot, string]> = [[p, 'r1'], [q, 'r2'], [r, 'r3'], [p, 'r4'], [q, 'r5'], [r, 'r6']];
    // r1-r2-r3 triangle (a cycle), then r3-r4 (the bridge tube), then r4-r5-r6 chain.
    await link(tb, p, 'r1', q, 'r2');
    await link(tb, q, 'r2', r, 'r3');
    await link(tb, r, 'r3', p, 'r1');
    await link(tb, r, 'r3', p, 'r4');
    await link(tb, p, 'r4', q, 'r5');
    await link(tb, q, 'r5', r, 'r6');

    await p.says('r1', 'Ann', 'from one');
    await r.says('r6', 'Zed', 'from six');
    await tb.settle();
    expect(copiesOf(rooms, 'from one')).toEqual({ 'pa/r1': 1, 'pb/r2': 1, 'pc/r3': 1, 'pa/r4': 1, 'pb/r5': 1, 'pc/r6': 1 });
    expect(copiesOf(rooms, 'from six')).toEqual({ 'pa/r1': 1, 'pb/r2': 1, 'pc/r3': 1, 'pa/r4': 1, 'pb/r5': 1, 'pc/r6': 1 });

    // r3's tubes, oldest first: r2, r1, r4. Close the one to r4: two same rooms remain.
    await r.says('r3', 'Cat', '-sameroom close 3');
    await tb.settle();
    expect(r.lines('r3').at(-1)).toBe('bridge-bot: This room is no longer linked to #r4 (pa).');
    await p.says('r1', 'Ann', 'left side');
    await q.says('r5', 'Eve', 'right side');
    await tb.settle();
    expect(copiesOf(rooms, 'left side')).toEqual({ 'pa/r1': 1, 'pb/r2': 1, 'pc/r3': 1, 'pa/r4': 0, 'pb/r5': 0, 'pc/r6': 0 });
    expect(copiesOf(rooms, 'right side')).toEqual({ 'pa/r1': 0, 'pb/r2': 0, 'pc/r3': 0, 'pa/r4': 1, 'pb/r5': 1, 'pc/r6': 1 });
  });

  it('honours each room\'s direction', async () => {
    const p = new TestBot('pa');
    const q = new TestBot('pb');
    tb = await startTestBridge({ store, bots: [p, q] });
    await link(tb, p, 'news', q, 'readers');
    await link(tb, p, 'news', q, 'writers');
    await q.says('readers', 'R', '-sameroom direction in');
    await q.says('writers', 'W', '-sameroom direction out');
    expect(q.lines('writers').at(-1)).toMatch(/only sends/);
    await p.says('news', 'Ann', 'headline');
    await q.says('readers', 'R', 'comment from readers');
    await q.says('writers', 'W', 'story from writers');
    await tb.settle();
    expect(q.lines('readers').some((l) => l.endsWith('headline'))).toBe(true);
    expect(q.lines('writers').some((l) => l.endsWith('headline'))).toBe(false);
    expect(p.lines('news').some((l) => l.endsWith('comment from readers'))).toBe(false);
    expect(p.lines('news').some((l) => l.endsWith('story from writers'))).toBe(true);
    expect(q.lines('readers').some((l) => l.endsWith('story from writers'))).toBe(true);
  });
});
