/** `pause` / `resume` on both stores: nothing crosses a paused link, and resume counts what was held back. */
import { afterEach, describe, expect, it } from 'vitest';
import { roomKey } from '../../src/model.js';
import { mapSvg, sameRoomGraph } from '../../src/portal/map.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

const has = (bot: TestBot, room: string, text: string): number => bot.lines(room).filter((l) => l.endsWith(text)).length;

describe.each<StoreKind>(['embedded', 'redis'])('pause and resume on the %s store', (store) => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it('stops a link both ways, keeps it, tells both rooms, and counts what was not relayed', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    const early = await a.says('x', 'Ann', 'before the pause');
    await tb.settle();

    await a.says('x', 'Ann', '-sameroom pause');
    await tb.settle();
    expect(a.lines('x').at(-1)).toBe('bridge-bot: Paused the link to #y (beta): nothing is relayed either way until -sameroom resume.');
    expect(b.lines('y').at(-1)).toBe('bridge-bot: The link to #x (alpha) was paused from there: nothing is relayed either way until it is resumed.');

    await a.says('x', 'Ann', 'one from x');
    await a.says('x', 'Ann', 'two from x');
    await b.says('y', 'Bob', 'one from y');
    await a.edits('x', early, 'before the pause (edited while paused)');
    await tb.settle();
    expect(has(b, 'y', 'from x')).toBe(0);
    expect(has(a, 'x', 'one from y')).toBe(0);
    expect(b.lines('y').some((l) => l.includes('edited while paused'))).toBe(false);

    await b.says('y', 'Bob', '-sameroom list');
    expect(b.lines('y').at(-1)).toMatch(/1\. #x \(alpha\) \(since \d{4}-\d\d-\d\d, paused\)/);
    await a.says('x', 'Ann', '-sameroom pause 1');
    expect(a.lines('x').at(-1)).toBe('bridge-bot: The link to #y (beta) is already paused.');

    await b.says('y', 'Bob', '-sameroom resume 1');
    await tb.settle();
    expect(b.lines('y').at(-1)).toBe(
      'bridge-bot: Resumed the link to #x (alpha): messages flow again; 1 message from this side and 2 messages from the other side were not relayed while paused.',
    );
    expect(a.lines('x').at(-1)).toBe(
      'bridge-bot: The link to #y (beta) was resumed from there: messages flow again; 2 messages from this side and 1 message from the other side were not relayed while paused.',
    );
    await a.says('x', 'Ann', 'after resume');
    await tb.settle();
    expect(b.lines('y').at(-1)).toBe('bridge-bot: Ann: after resume');

    // The counts start again from zero with the next pause.
    await a.says('x', 'Ann', '-sameroom pause');
    await a.says('x', 'Ann', '-sameroom resume');
    await tb.settle();
    expect(a.lines('x').at(-1)).toBe('bridge-bot: Resumed the link to #y (beta): messages flow again; no message was held back meanwhile.');

    const log = await tb.bridge.seclog.recent(tb.bridge.tenant(a.ref('x')));
    expect(log.filter((e) => e.type === 'pause')).toHaveLength(2);
    const resumes = log.filter((e) => e.type === 'resume').map((e) => e.detail);
    expect(resumes).toHaveLength(2);
    expect(resumes[0]).toMatch(/^link to .*#y.*beta.* resumed from there \(tube \w+\)$/);
    expect(resumes[1]).toMatch(/^resumed the link to .*#y.*beta.* \(tube \w+\); 0 not relayed while paused$/);
    expect((await tb.bridge.seclog.recent(tb.bridge.tenant(b.ref('y')))).map((e) => e.type)).toEqual(expect.arrayContaining(['pause', 'resume']));
  });

  it('a paused link in a chain splits the same room until it is resumed; the map shows it', async () => {
    const p = new TestBot('pa');
    const q = new TestBot('pb');
    const r = new TestBot('pc');
    tb = await startTestBridge({ store, bots: [p, q, r] });
    await link(tb, p, 'A', q, 'B');
    await link(tb, q, 'B', r, 'C');

    // B's links, oldest first: A, C. Pause the one to A.
    await q.says('B', 'Bea', '-sameroom pause 1');
    await p.says('A', 'Ann', 'from A');
    await q.says('B', 'Bea', 'from B');
    await r.says('C', 'Cat', 'from C');
    await tb.settle();
    expect([has(p, 'A', 'from A'), has(q, 'B', 'from A'), has(r, 'C', 'from A')]).toEqual([1, 0, 0]);
    expect([has(p, 'A', 'from B'), has(q, 'B', 'from B'), has(r, 'C', 'from B')]).toEqual([0, 1, 1]);
    expect([has(p, 'A', 'from C'), has(q, 'B', 'from C'), has(r, 'C', 'from C')]).toEqual([0, 1, 1]);

    const graph = await sameRoomGraph(tb.bridge, roomKey(r.ref('C')));
    expect(graph.nodes).toHaveLength(3);
    expect(graph.edges.filter((e) => e.paused)).toHaveLength(1);
    const svg = mapSvg(graph);
    expect(svg).toContain('data-paused="true"');
    expect(svg).toContain('(paused)');

    await p.says('A', 'Ann', '-sameroom resume');
    await tb.settle();
    // From A's side one message was held back; from B's side two (B's own and C's).
    expect(p.lines('A').at(-1)).toMatch(/1 message from this side and 2 messages from the other side/);
    await r.says('C', 'Cat', 'all together');
    await tb.settle();
    expect([has(p, 'A', 'all together'), has(q, 'B', 'all together')]).toEqual([1, 1]);
  });

  it('a pause in a cycle holds nothing back: the other way round still reaches every room', async () => {
    const p = new TestBot('pa');
    const q = new TestBot('pb');
    tb = await startTestBridge({ store, bots: [p, q] });
    await link(tb, p, 'A', q, 'B');
    await link(tb, q, 'B', p, 'C');
    await link(tb, p, 'C', p, 'A');
    await p.says('A', 'Ann', '-sameroom pause 1');
    await p.says('A', 'Ann', 'round the other way');
    await tb.settle();
    expect([has(q, 'B', 'round the other way'), has(p, 'C', 'round the other way')]).toEqual([1, 1]);
    await p.says('A', 'Ann', '-sameroom resume 1');
    expect(p.lines('A').at(-1)).toMatch(/no message was held back meanwhile/);
  });

  it('stays paused, with its count, across a restart', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', '-sameroom pause');
    await a.says('x', 'Ann', 'held before the restart');
    await tb.settle();
    const { dataDir, prefix } = tb;
    await tb.stop();
    tb = await startTestBridge({ store, bots: [a, b], dataDir, prefix });
    await a.says('x', 'Ann', 'held after the restart');
    await tb.settle();
    expect(b.lines('y').some((l) => l.includes('held'))).toBe(false);
    await b.says('y', 'Bob', '-sameroom resume');
    expect(b.lines('y').at(-1)).toMatch(/0 messages from this side and 2 messages from the other side were not relayed while paused\.$/);
  });

  it('answers a wrong link number or an unlinked room, changing nothing', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await a.says('x', 'Ann', '-sameroom pause');
    expect(a.lines('x').at(-1)).toBe('bridge-bot: This room is not linked to any other. Start with -sameroom open.');
    await link(tb, a, 'x', b, 'y');
    await a.says('x', 'Ann', '-sameroom pause 4');
    expect(a.lines('x').at(-1)).toBe('bridge-bot: There is no link number 4: this room has 1. -sameroom list shows them.');
    await a.says('x', 'Ann', '-sameroom resume zero');
    expect(a.lines('x').at(-1)).toMatch(/Which link\? n is from list\. Usage: -sameroom resume \[n\]\./);
    await a.says('x', 'Ann', 'still linked');
    await tb.settle();
    expect(b.lines('y').at(-1)).toBe('bridge-bot: Ann: still linked');
  });
});
