import { describe, expect, it } from 'vitest';
import { codeSpan, defuseMentions, escapeText, HTML_HEADINGS, HTML_TAG_MARKS, isSafeUrl, parse, quoteLines, splitText, toPlain, wrapMark } from '../../src/markup.js';
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

describe('HTML → canonical helpers', () => {
  it.each([
    ['**', 'bold', '**bold**'],
    ['_', '  two words ', '  _two words_ '],
    ['~~', '\n\tgone\u00a0', '\n\t~~gone~~\u00a0'],
    ['**', '   ', '   '],
    ['_', '', ''],
  ] as const)('wrapMark(%j, %j) → %j', (mark, inner, out) => {
    expect(wrapMark(mark, inner)).toBe(out);
  });

  it('wraps so that the mark parses back: whitespace stays outside', () => {
    expect(parse(wrapMark('**', ' x '))).toEqual([{ type: 'text', text: ' ' }, { type: 'bold', children: [{ type: 'text', text: 'x' }] }, { type: 'text', text: ' ' }]);
  });

  it('maps HTML emphasis tags to marks, headings apart, and nothing else', () => {
    expect(Object.fromEntries(HTML_TAG_MARKS)).toEqual({ b: '**', strong: '**', i: '_', em: '_', s: '~~', strike: '~~', del: '~~' });
    expect([...HTML_HEADINGS]).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    for (const tag of ['span', 'B', 'constructor', '__proto__', 'toString']) expect(HTML_TAG_MARKS.get(tag)).toBeUndefined();
  });

  it('makes code spans that cannot be closed early, and none for empty text', () => {
    expect(codeSpan('ls -l')).toBe('`ls -l`');
    expect(codeSpan('a`b')).toBe('`aˋb`');
    expect(parse(codeSpan('a`b*c'))).toEqual([{ type: 'code', text: 'aˋb*c' }]);
    expect(codeSpan('')).toBe('');
  });

  it.each([
    ['https://example.com', true],
    ['HTTP://example.com', true],
    ['mailto:a@example.com', true],
    ['javascript:alert(1)', false],
    ['data:text/html,x', false],
    ['/relative', false],
    [' https://leading.space', false],
    ['', false],
  ])('isSafeUrl(%j) → %s', (url, safe) => {
    expect(isSafeUrl(url)).toBe(safe);
  });

  it('quotes every line', () => {
    expect(quoteLines('a\n\nb')).toBe('> a\n> \n> b');
    expect(toPlain(`${quoteLines('one\ntwo')}\nafter`)).toBe('> one\n> two\nafter');
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
