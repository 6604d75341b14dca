import { describe, expect, it } from 'vitest';
import { canonicalToRocket, neutralize, rocketToCanonical } from '../../bots/rocketchat/format.js';
import { normalizeCommand, toInbound } from '../../bots/rocketchat/inbound.js';
import { messageIdFor } from '../../bots/rocketchat/outbound.js';
import { dateMs } from '../../bots/rocketchat/types.js';
import { parse } from '../../src/markup.js';

describe('rocket.chat → canonical', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['single-star bold', '*bold* text', '**bold** text'],
    ['double-star bold', '**bold**', '**bold**'],
    ['italic', '_it_ and __it__', '_it_ and _it_'],
    ['strike', '~gone~ ~~gone~~', '~~gone~~ ~~gone~~'],
    ['nested', '*bold _and it_*', '**bold _and it_**'],
    ['code is kept verbatim', '`a*b*c` *x*', '`a*b*c` **x**'],
    ['fenced code is kept verbatim', '```\n*not bold*\n```', '```\n*not bold*\n```'],
    ['markdown link', '[docs](https://rocket.chat/docs)', '[docs](https://rocket.chat/docs)'],
    ['angle link', '<https://rocket.chat|Rocket>', '[Rocket](https://rocket.chat)'],
    ['quote', '> quoted *b*', '> quoted **b**'],
    ['stray marks are escaped', '2 * 3 = 6, a_b_c, ~ok', '2 \\* 3 = 6, a\\_b\\_c, \\~ok'],
    ['brackets and backslashes are literal', '[x] (y) C:\\dir', '\\[x\\] \\(y\\) C:\\\\dir'],
    ['unclosed marks are text', '*open and _half', '\\*open and \\_half'],
  ])('%s', (_n, rc, canonical) => {
    expect(rocketToCanonical(rc)).toBe(canonical);
  });

  it('gives canonical text that parses back to the literal characters', () => {
    expect(parse(rocketToCanonical('2 * 3 C:\\x [y]'))).toEqual([{ type: 'text', text: '2 * 3 C:\\x [y]' }]);
  });
});

describe('canonical → rocket.chat', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['formatting', '**b** _i_ ~~s~~ `c`', '*b* _i_ ~s~ `c`'],
    ['link', '[site](https://e.org)', '[site](https://e.org)'],
    ['bare link', '[https://e.org](https://e.org)', 'https://e.org'],
    ['typed link syntax is broken', '\\[click\\]\\(https://evil.example\\)', '[click]\u200b(https://evil.example)'],
    ['typed angle link is broken', '<https://evil.example|bank>', '<\u200bhttps://evil.example|bank>'],
    ['quote', '> hi', '> hi'],
    ['code block', '```\nx\n```', '```\nx\n```'],
    ['defused mention stays defused', '@\u200ball', '@\u200ball'],
    ['markup cannot glue a mass mention', '@**here** @_all_', '@\u200b*here* @\u200b_all_'],
    ['emails are left alone', 'me@all.example', 'me@all.example'],
  ])('%s', (_n, canonical, rc) => {
    expect(canonicalToRocket(canonical)).toBe(rc);
  });

  it('neutralizes only link syntax', () => {
    expect(neutralize('a](b) <http://x> a < b')).toBe('a]\u200b(b) <\u200bhttp://x> a < b');
  });
});

describe('rocket.chat helpers', () => {
  it('derives stable 17-character message ids from idempotency keys', () => {
    expect(messageIdFor('k:0')).toBe(messageIdFor('k:0'));
    expect(messageIdFor('k:0')).not.toBe(messageIdFor('k:1'));
    expect(messageIdFor('k:0')).toMatch(/^[23456789A-HJ-NP-TW-Za-km-z]{17}$/);
  });

  it('reads EJSON and ISO dates', () => {
    expect(dateMs({ $date: 5 })).toBe(5);
    expect(dateMs('1970-01-01T00:00:00.010Z')).toBe(10);
    expect(dateMs(undefined)).toBeUndefined();
  });

  it.each([
    ['@sameroom open', '-sameroom open'],
    ['@sameroom: connect K7QF-M2XD-9P', '-sameroom connect K7QF-M2XD-9P'],
    ['@sameroom.bot open', undefined],
    ['tell @sameroom', undefined],
  ])('command form %s', (msg, expected) => {
    expect(normalizeCommand(msg, { botUsername: 'sameroom', commandWord: 'sameroom' })).toBe(expected);
  });

  const deps = { botUserId: 'BOT', botUsername: 'sameroom', commandWord: 'sameroom', baseUrl: 'https://rc.example', download: () => async () => new Uint8Array() };
  const base = { _id: 'M1', rid: 'R1', msg: 'hi', u: { _id: 'U1', username: 'ann', name: 'Ann' } };
  it.each([
    ['a post', base, { kind: 'post', id: 'M1', eventId: 'M1', text: 'hi', author: { id: 'U1', name: 'Ann', avatarUrl: 'https://rc.example/avatar/ann' } }],
    ['an edit', { ...base, editedAt: { $date: 7 } }, { kind: 'edit', id: 'M1', eventId: 'M1:edit:7' }],
    ['a removed message', { ...base, t: 'rm' }, { kind: 'delete', id: 'M1', eventId: 'M1:rm' }],
    ['a thread reply', { ...base, tmid: 'M0' }, { kind: 'post', replyTo: 'M0' }],
    ['another integration by its alias', { ...base, alias: 'Jira', avatar: 'https://j/x.png' }, { author: { name: 'Jira', avatarUrl: 'https://j/x.png' } }],
  ])('maps %s', (_n, msg, expected) => {
    expect(toInbound(msg, deps)).toMatchObject(expected);
  });

  it.each([
    ['its own message', { ...base, u: { _id: 'BOT', username: 'sameroom' }, alias: 'Ann' }],
    ['a system message', { ...base, t: 'uj' }],
    ['an empty message', { ...base, msg: '' }],
  ])('drops %s', (_n, msg) => {
    expect(toInbound(msg, deps)).toBeUndefined();
  });
});
