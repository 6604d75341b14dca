/** The frame validator and name cleaning, as tables. */
import { describe, expect, it } from 'vitest';
import { cleanName, parseClientFrame } from '../../bots/web/protocol.js';
import { TokenBucket } from '../../bots/web/ratelimit.js';

const KEY = 'k'.repeat(16);
const ROOM = 'abcdefghij0123456789ab';

describe('parseClientFrame', () => {
  it.each([
    [{ type: 'hello', room: ROOM, name: ' Ann ', key: KEY }, { type: 'hello', room: ROOM, name: 'Ann', key: KEY }],
    [{ type: 'post', text: 'hi' }, { type: 'post', text: 'hi' }],
    [{ type: 'post', text: '', files: ['file0123456'] }, { type: 'post', text: '', files: ['file0123456'] }],
    [{ type: 'post', text: 'a\u0000b', replyTo: 'msg0123456', nonce: 'n1', extra: 1 }, { type: 'post', text: 'ab', replyTo: 'msg0123456', nonce: 'n1' }],
    [{ type: 'edit', id: 'msg0123456', text: 'new' }, { type: 'edit', id: 'msg0123456', text: 'new' }],
    [{ type: 'delete', id: 'msg0123456' }, { type: 'delete', id: 'msg0123456' }],
    [{ type: 'post', text: 'hi', cid: 'c'.repeat(16) }, { type: 'post', text: 'hi', cid: 'c'.repeat(16) }],
    [{ type: 'older', before: 42 }, { type: 'older', before: 42 }],
    [{ type: 'ping' }, { type: 'ping' }],
  ])('accepts %j', (input, frame) => {
    expect(parseClientFrame(JSON.stringify(input), 100)).toEqual({ ok: true, frame });
  });

  it.each([
    ['{', 'bad_frame'],
    ['"post"', 'bad_frame'],
    ['[{"type":"ping"}]', 'bad_frame'],
    ['{"type":"PING"}', 'bad_frame'],
    [JSON.stringify({ type: 'hello', room: 'short', name: 'Ann', key: KEY }), 'bad_frame'],
    [JSON.stringify({ type: 'hello', room: ROOM, name: 'Ann', key: 'short' }), 'bad_frame'],
    [JSON.stringify({ type: 'hello', room: ROOM, name: 7, key: KEY }), 'bad_name'],
    [JSON.stringify({ type: 'hello', room: ROOM, name: '\u200b', key: KEY }), 'bad_name'],
    [JSON.stringify({ type: 'post', text: 'x'.repeat(101) }), 'too_long'],
    [JSON.stringify({ type: 'post', text: ' \n ' }), 'empty'],
    [JSON.stringify({ type: 'post', text: 'a', replyTo: 5 }), 'bad_frame'],
    [JSON.stringify({ type: 'post', text: 'a', files: 'f' }), 'bad_file'],
    [JSON.stringify({ type: 'post', text: 'a', files: Array(11).fill('file0123456') }), 'bad_file'],
    [JSON.stringify({ type: 'post', text: 'a', files: ['../etc/passwd'] }), 'bad_file'],
    [JSON.stringify({ type: 'post', text: 'a', nonce: 'x'.repeat(65) }), 'bad_frame'],
    [JSON.stringify({ type: 'post', text: 'a', cid: 'guessable' }), 'bad_frame'],
    [JSON.stringify({ type: 'post', text: 'a', cid: 'c'.repeat(15) + '/' }), 'bad_frame'],
    [JSON.stringify({ type: 'older', before: 0 }), 'bad_frame'],
    [JSON.stringify({ type: 'older', before: 2 ** 60 }), 'bad_frame'],
    [JSON.stringify({ type: 'older' }), 'bad_frame'],
    [JSON.stringify({ type: 'edit', id: 'msg0123456', text: '' }), 'empty'],
    [JSON.stringify({ type: 'edit', text: 'a' }), 'bad_frame'],
    [JSON.stringify({ type: 'delete', id: '' }), 'bad_frame'],
    ['x'.repeat(100 * 4 + 4097), 'too_large'],
  ])('refuses %s', (raw, code) => {
    expect(parseClientFrame(raw, 100)).toMatchObject({ ok: false, code });
  });
});

describe('cleanName', () => {
  it.each([
    ['  Ann   Lee ', 'Ann Lee'],
    ['A\u202enn\u200b', 'Ann'],
    ['👩‍💻 Dev', '👩‍💻 Dev'],
    ['\t\n', null],
    ['x'.repeat(65), null],
    ['é'.repeat(64), 'é'.repeat(64)],
  ])('%j → %j', (input, out) => {
    expect(cleanName(input, 64)).toBe(out);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const b = new TokenBucket({ capacity: 3, perSecond: 2 }, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now = 499;
    expect(b.take()).toBe(false);
    now = 500;
    expect(b.take()).toBe(true);
    now = 60_000;
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });
});
