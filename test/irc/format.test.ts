import { describe, expect, it } from 'vitest';
import { canonicalToIrc, defuseNick, ircToCanonical, stripFormatting } from '../../bots/irc/format.js';
import { parse } from '../../src/markup.js';

describe('IRC formatting → canonical', () => {
  it.each([
    ['plain', 'plain'],
    ['\x02bold\x02 text', '**bold** text'],
    ['\x1dital\x1d', '_ital_'],
    ['\x1estruck\x1e', '~~struck~~'],
    ['\x11mono\x11', '`mono`'],
    ['\x02bold \x1dboth\x1d\x02', '**bold** **_both_**'],
    ['\x02unterminated', '**unterminated**'],
    ['\x02bold\x0f plain', '**bold** plain'],
    ['\x0304,12red on blue\x03 and \x0399\x03', 'red on blue and '],
    ['\x04ff0000hex\x04', 'hex'],
    ['\x1funder\x1f \x16rev\x16', 'under rev'],
    ['\x02 spaced \x02', ' **spaced** '],
    ['\x1dital\x1dword', '*ital*word'],
    ['*not* _markup_ [x](y) `c` \\', '\\*not\\* \\_markup\\_ \\[x\\]\\(y\\) \\`c\\` \\\\'],
    ['\x11has `tick`\x11', 'has \\`tick\\`'],
    ['bell\x07 and \x01ctcp', 'bell and ctcp'],
    ['\x02\x02', ''],
  ])('%j → %j', (irc, canonical) => {
    expect(ircToCanonical(irc)).toBe(canonical);
  });

  it('keeps what people see: the canonical text parses back to the same styles', () => {
    expect(parse(ircToCanonical('a \x02b \x1dc\x1d\x02 d'))).toEqual([
      { type: 'text', text: 'a ' },
      { type: 'bold', children: [{ type: 'text', text: 'b' }] },
      { type: 'text', text: ' ' },
      { type: 'bold', children: [{ type: 'italic', children: [{ type: 'text', text: 'c' }] }] },
      { type: 'text', text: ' d' },
    ]);
  });

  it('strips every code for plain text', () => {
    expect(stripFormatting('\x02a\x02 \x0304b\x03 \x01c')).toBe('a b c');
  });
});

describe('canonical → IRC formatting', () => {
  it.each([
    ['**bold** _it_ ~~s~~ `code`', '\x02bold\x02 \x1dit\x1d \x1es\x1e \x11code\x11'],
    ['[label](https://a.test/x)', 'label (https://a.test/x)'],
    ['[https://a.test](https://a.test)', 'https://a.test'],
    ['> quoted\nnext', '> quoted\nnext'],
    ['```\nline 1\n\nline 2\n```', '\x11line 1\x11\n\n\x11line 2\x11'],
    ['esc \\*not bold\\*', 'esc *not bold*'],
    ['inject \x01ACTION x\x01 \x02 \r\x00', 'inject ACTION x  '],
  ])('%j → %j', (canonical, irc) => {
    expect(canonicalToIrc(canonical)).toBe(irc);
  });
});

describe('defuseNick', () => {
  it.each([
    ['alice: hi', 'alice', 'a\u200blice: hi'],
    ['Alice and ALICE', 'alice', 'A\u200blice and A\u200bLICE'],
    ['malice alice_ alice2 [alice]', 'alice', 'malice alice_ alice2 [alice]'],
    ['<alice> see https://x.test/alice', 'alice', '<a\u200blice> see https://x.test/alice'],
    ['\x02bob\x02: hey', 'bob', '\x02b\u200bob\x02: hey'],
    ['émile here', 'émile', 'é\u200bmile here'],
    ['a.b (a.b)', 'a.b', 'a\u200b.b (a\u200b.b)'],
    ['nothing', '', 'nothing'],
  ])('%j defused for %j', (text, name, out) => {
    expect(defuseNick(text, name)).toBe(out);
  });
});
