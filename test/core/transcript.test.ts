/**
 * The user story, as a transcript, on both stores: open, connect, talk both ways, edit,
 * delete, reply, close, and a restart with the tube intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { TestBot } from '../helpers/test-bot.js';

const codeIn = (text: string): string => {
  const m = /connect ([A-Z0-9-]{14})/.exec(text);
  if (!m?.[1]) throw new Error(`no code in: ${text}`);
  return m[1];
};

describe.each<StoreKind>(['embedded', 'redis'])('transcript on the %s store', (store) => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it('pairs two rooms and relays posts, edits, deletes and replies both ways', async () => {
    const alpha = new TestBot('alpha');
    const beta = new TestBot('beta', { impersonate: true });
    tb = await startTestBridge({ store, bots: [alpha, beta] });

    await alpha.says('general', 'Ann', '-sameroom open');
    const answer = alpha.lines('general').at(-1) ?? '';
    expect(answer).toMatch(/^bridge-bot: To link a room/);
    const code = codeIn(answer);

    await beta.says('lobby', 'Bob', `-sameroom connect ${code}`);
    await tb.settle();
    expect(beta.lines('lobby').at(-1)).toBe('bridge-bot: This room is now linked to #general (alpha): messages flow both ways. -sameroom list shows the links.');
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: This room is now linked to #lobby (beta): messages flow both ways. -sameroom list shows the links.');

    const hello = await alpha.says('general', 'Ann', 'hello **world**');
    await beta.says('lobby', 'Bob', 'hi Ann');
    await tb.settle();
    // beta can impersonate: the copy shows Ann as author; alpha cannot: the copy is prefixed.
    expect(beta.room('lobby').at(-2)).toMatchObject({ as: 'Ann', text: 'hello **world**' });
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: Bob: hi Ann');

    await alpha.edits('general', hello, 'hello **everyone**');
    await tb.settle();
    expect(beta.room('lobby').find((m) => m.as === 'Ann')?.text).toBe('hello **everyone**');

    const bobsCopyOfHello = beta.room('lobby').find((m) => m.as === 'Ann')?.id;
    expect(bobsCopyOfHello).toBeDefined();
    await beta.says('lobby', 'Bob', 'replying', { replyTo: bobsCopyOfHello });
    await tb.settle();
    expect(alpha.room('general').at(-1)).toMatchObject({ replyTo: hello });

    await alpha.deletes('general', hello);
    await tb.settle();
    expect(beta.room('lobby').some((m) => m.as === 'Ann')).toBe(false);

    // Commands and answers were never relayed.
    expect(beta.lines('lobby').some((l) => l.includes('sameroom open') || l.includes('To link a room'))).toBe(false);
    expect(alpha.lines('general').some((l) => l.startsWith('bridge-bot: Bob: -sameroom'))).toBe(false);
    expect(alpha.lines('general').filter((l) => l.includes('now linked'))).toHaveLength(1);

    await alpha.says('general', 'Ann', '-sameroom close 1');
    await tb.settle();
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: This room is no longer linked to #lobby (beta).');
    expect(beta.lines('lobby').at(-1)).toBe('bridge-bot: This room is no longer linked to #general (alpha).');
    await alpha.says('general', 'Ann', 'anyone there?');
    await tb.settle();
    expect(beta.lines('lobby').some((l) => l.includes('anyone there'))).toBe(false);
  });

  it('keeps the tube and the message map across a restart', async () => {
    const a1 = new TestBot('alpha');
    const b1 = new TestBot('beta');
    tb = await startTestBridge({ store, bots: [a1, b1] });
    await a1.says('x', 'Ann', '-sameroom open');
    await b1.says('y', 'Bob', `-sameroom connect ${codeIn(a1.lines('x').at(-1) ?? '')}`);
    const first = await a1.says('x', 'Ann', 'before restart');
    await tb.settle();
    const { dataDir, prefix } = tb;
    await tb.stop();

    // New bot instances share the old ones' rooms, as a platform would keep them.
    const a2 = a1;
    const b2 = b1;
    tb = await startTestBridge({ store, bots: [a2, b2], dataDir, prefix });
    await a2.says('x', 'Ann', 'after restart');
    await tb.settle();
    expect(b2.lines('y').slice(-2)).toEqual(['bridge-bot: Ann: before restart', 'bridge-bot: Ann: after restart']);
    await a2.edits('x', first, 'before restart (edited)');
    await tb.settle();
    expect(b2.lines('y').at(-2)).toBe('bridge-bot: Ann: before restart (edited)');
  });
});
