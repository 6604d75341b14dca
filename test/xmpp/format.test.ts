import { describe, expect, it } from 'vitest';
import { canonicalToXmpp, defuseName, xmlSafe, xmppToCanonical } from '../../bots/xmpp/format.js';

describe('XEP-0393 styling → canonical', () => {
  it.each([
    ['plain', 'plain'],
    ['*strong* _em_ ~strike~ `pre`', '**strong** _em_ ~~strike~~ `pre`'],
    ['not*strong* a * b *', 'not\\*strong\\* a \\* b \\*'],
    ['*unclosed', '\\*unclosed'],
    ['`*not nested*`', '`*not nested*`'],
    ['*_both_*', '**_both_**'],
    ['_em_word', '*em*word'],
    ['> quoted *x*\nplain', '> quoted **x**\nplain'],
    ['```\n*raw* [x](y)\n```\nafter', '```\n*raw* [x](y)\n```\nafter'],
    ['```\nnever closed', '```\nnever closed\n```'],
    ['[a](b) \\ >', '\\[a\\]\\(b\\) \\\\ \\>'],
  ])('%j → %j', (body, canonical) => {
    expect(xmppToCanonical(body)).toBe(canonical);
  });

  it('takes <unstyled/> bodies literally', () => {
    expect(xmppToCanonical('*x* _y_', true)).toBe('\\*x\\* \\_y\\_');
  });
});

describe('canonical → XEP-0393 styling', () => {
  it.each([
    ['**b** _i_ ~~s~~ `c`', '*b* _i_ ~s~ `c`', false],
    ['```js\nconst a = 1;\n```', '```\nconst a = 1;\n```', false],
    ['> quote', '> quote', false],
    ['[docs](https://x.test)', 'docs (https://x.test)', true],
    ['https://x.test', 'https://x.test', true],
    ['plain \\*not\\* styled', 'plain *not* styled', true],
  ])('%j → %j (unstyled: %s)', (canonical, body, unstyled) => {
    expect(canonicalToXmpp(canonical)).toEqual({ body, unstyled });
  });

  it('drops characters XML cannot carry', () => {
    expect(xmlSafe('a\x00b\x07c\td\ne\uffff\ud800f')).toBe('abc\td\nef');
    expect(xmlSafe('emoji 😀 stays')).toBe('emoji 😀 stays');
  });

  it('defuses the author name outside links', () => {
    expect(defuseName('alice: see https://x.test/alice, Alice', 'alice')).toBe('a\u200blice: see https://x.test/alice, A\u200blice');
    expect(defuseName('malice', 'alice')).toBe('malice');
  });
});
