/** Bare URLs in web messages stay whole: markup characters inside them are not formatting. */
import { describe, expect, it } from 'vitest';
import { literalUrls } from '../../bots/web/history.js';
import { parse, toPlain } from '../../src/markup.js';

describe('literalUrls', () => {
  it.each([
    ['Portal: https://x.example/portal/ab_cd_ef', [{ type: 'text', text: 'Portal: https://x.example/portal/ab_cd_ef' }]],
    ['a *b* mailto:a_b_c@example.com', [{ type: 'text', text: 'a ' }, { type: 'italic', children: [{ type: 'text', text: 'b' }] }, { type: 'text', text: ' mailto:a_b_c@example.com' }]],
    ['`-sameroom connect https://x.example/portal/a_b_c`', [{ type: 'code', text: '-sameroom connect https://x.example/portal/a_b_c' }]],
    ['[docs](https://x.example/a_b_c)', [{ type: 'link', url: 'https://x.example/a_b_c', children: [{ type: 'text', text: 'docs' }] }]],
  ])('%s', (text, nodes) => {
    expect(parse(literalUrls(text))).toEqual(nodes);
  });

  it('leaves a URL that is already escaped as it is', () => {
    const text = 'see https://x.example/a\\_b\\_c now';
    expect(literalUrls(text)).toBe(text);
    expect(toPlain(literalUrls(text))).toBe('see https://x.example/a_b_c now');
  });
});
