import { describe, expect, it } from 'vitest';
import { defuseMentions, escapeText, parse, splitText, toPlain } from '../../src/markup.js';
import { createLogger, scrub } from '../../src/log.js';
import { Writable } from 'node:stream';

describe('canonical markup', () => {
  it.each([
    ['**bold** and _it_', 'bold and it'],
    ['[site](https://example.com)', 'site (https://example.com)'],
    ['a \\*literal\\* star', 'a *literal* star'],
    ['snake_case_name stays', 'snake_case_name stays'],
    ['> quoted\nreply', '> quoted\nreply'],
    ['```\ncode **not bold**\n```', 'code **not bold**'],
  ])('%s → %s', (input, plain) => {
    expect(toPlain(input)).toBe(plain);
  });

  it('escapes plain text so it parses back to itself', () => {
    const raw = 'a*b_c ~~d~~ `e` [f](g) > h \\ i';
    expect(toPlain(escapeText(raw))).toBe(raw);
    expect(parse(escapeText(raw))).toEqual([{ type: 'text', text: raw }]);
  });

  it('defuses mass mentions but not addresses or ordinary words', () => {
    expect(defuseMentions('@everyone @here @channel @all <!here>').replace(/\u200b/g, '|')).toBe('@|everyone @|here @|channel @|all <!|here>');
    expect(defuseMentions('mail me@here.com, everyone')).toBe('mail me@here.com, everyone');
  });

  it('splits on word boundaries within the limit and never splits a surrogate pair', () => {
    expect(splitText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    const emoji = '😀'.repeat(10);
    for (const part of splitText(emoji, 5)) expect(part).not.toMatch(/[\ud800-\udbff]$/);
    expect(splitText(emoji, 5).join('')).toBe(emoji);
    expect(splitText('', 10)).toEqual(['']);
  });
});

describe('logging', () => {
  it('never writes a secret, by field name or by value', () => {
    let out = '';
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { out += chunk.toString(); cb(); } });
    const log = createLogger('info', ['xoxb-super-secret-value'], sink);
    log.info({ token: 'abc123', headers: { authorization: 'Bot abc' } }, 'hello');
    log.error({ err: new Error('request to https://x/api with xoxb-super-secret-value failed') }, 'failed with xoxb-super-secret-value');
    expect(out).not.toContain('abc123');
    expect(out).not.toContain('Bot abc');
    expect(out).not.toContain('xoxb-super-secret-value');
    expect(out).toContain('[redacted]');
    expect(scrub('GET https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe', [])).toBe('GET https://api.telegram.org/bot[redacted]/getMe');
  });
});
