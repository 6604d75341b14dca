/** Context on connect, on both stores: each side is shown the other's recent conversation, once. */
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { roomKey } from '../../src/model.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

describe.each<StoreKind>(['embedded', 'redis'])('context on connect on the %s store', (store) => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it('shows each side what the other said, with edits and deletes applied, and nothing else', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await a.says('x', 'Ann', 'hello from x');
    const typo = await a.says('x', 'Ann', 'teh plan');
    await a.edits('x', typo, 'the plan');
    const secret = await a.says('x', 'Ann', 'my password is hunter2');
    await a.deletes('x', secret);
    await a.says('x', 'Ann', '^^^ stays here');
    await a.says('x', 'Ann', '-sameroom ping');
    await a.says('x', 'Mal **<b>**', 'ping @everyone *now*');
    await b.says('y', 'Bob', 'hi from y');
    await b.says('elsewhere', 'Eve', 'not linked to anything');

    const answer = await link(tb, a, 'x', b, 'y');
    expect(answer).toBe(
      [
        'bridge-bot: This room is now linked to #x (alpha): messages flow both ways. -sameroom list shows the links.',
        '',
        'Recent messages there:',
        'Ann: hello from x',
        'Ann: the plan',
        'Mal **<b>**: ping @\u200beveryone now',
      ].join('\n'),
    );
    // Markup from a name or a message is shown as it was typed, not applied.
    const shown = b.room('y').at(-1)?.text ?? '';
    expect(shown).toContain('Mal \\*\\*<b\\>\\*\\*: ping @\u200beveryone now');
    expect(a.lines('x').at(-1)).toBe(
      [
        'bridge-bot: This room is now linked to #y (beta): messages flow both ways. -sameroom list shows the links.',
        '',
        'Recent messages there:',
        'Bob: hi from y',
      ].join('\n'),
    );

    // Shown once, on connect: later messages are relayed, not repeated as context.
    await a.says('x', 'Ann', 'after the link');
    await tb.settle();
    expect(b.lines('y').filter((l) => l.includes('Recent messages there'))).toHaveLength(1);
    expect(b.lines('y').at(-1)).toBe('bridge-bot: Ann: after the link');
  });

  it('shows the other side\'s whole same room, not rooms this one will not be linked to, and nothing when already linked', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await link(tb, a, 'x', b, 'z');
    await b.says('z', 'Zoe', 'from z, linked to x');
    await a.says('x', 'Ann', 'from x');
    await b.says('w', 'Wes', 'from w, linked to nothing');
    await tb.settle();

    const answer = await link(tb, a, 'x', b, 'y');
    expect(answer).toContain('Zoe: from z, linked to x\nAnn: from x');
    expect(answer).not.toContain('from w');

    // y and z are now in one same room: linking them directly shows no context.
    const again = await link(tb, b, 'y', b, 'z');
    expect(again).toBe('bridge-bot: This room is now linked to #y (beta): messages flow both ways. -sameroom list shows the links.');
  });

  it('shows at most CONTEXT_ON_CONNECT messages, of the last 24 h, fitted to the room\'s limit', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta', { maxTextLength: 160 });
    tb = await startTestBridge({ store, bots: [a, b], env: { CONTEXT_ON_CONNECT: '3' } });
    for (let i = 1; i <= 5; i++) await a.says('x', 'Ann', `message ${i}`);
    const recent = await tb.bridge.recent.of([roomKey(a.ref('x'))]);
    expect(recent.map((m) => m.text)).toEqual(['message 3', 'message 4', 'message 5']);
    expect(await tb.bridge.recent.of([roomKey(a.ref('x'))], Date.now() + 25 * 3600_000)).toEqual([]);

    // 160 characters hold the announcement, the header and the two newest lines.
    const answer = await link(tb, a, 'x', b, 'y');
    expect(answer).toMatch(/shows the links\.\n\nRecent messages there:\nAnn: message 4\nAnn: message 5$/);
    expect(b.room('y').at(-1)?.text.length).toBeLessThanOrEqual(160);
  });

  it('CONTEXT_ON_CONNECT=0 shows nothing and keeps nothing', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b], env: { CONTEXT_ON_CONNECT: '0' } });
    await a.says('x', 'Ann', 'hello');
    expect(await tb.bridge.store.tail(keys.recent(roomKey(a.ref('x'))), 10)).toEqual([]);
    expect(await link(tb, a, 'x', b, 'y')).toBe('bridge-bot: This room is now linked to #x (alpha): messages flow both ways. -sameroom list shows the links.');
  });

  it('keeps the recent list across a restart', async () => {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a, b] });
    await a.says('x', 'Ann', 'said before the restart');
    const { dataDir, prefix } = tb;
    await tb.stop();
    tb = await startTestBridge({ store, bots: [a, b], dataDir, prefix });
    expect(await link(tb, a, 'x', b, 'y')).toMatch(/Recent messages there:\nAnn: said before the restart$/);
  });
});
