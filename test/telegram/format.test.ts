/**
 * Format converters, as tables: Telegram entities → canonical, canonical → Telegram HTML (read
 * back with the fake's HTML parser, which refuses what Telegram refuses), and fitting to limits.
 */
import type { MessageEntity } from 'node-telegram-bot-api';
import { describe, expect, it } from 'vitest';
import { entitiesToCanonical } from '../../bots/telegram/entities.js';
import { splitHtml, toHtml, truncateHtml } from '../../bots/telegram/html.js';
import { escapeText, parse, toPlain } from '../../src/markup.js';
import { parseHtml } from '../fakes/telegram/html.js';

const e = (type: string, offset: number, length: number, extra: Partial<MessageEntity> = {}): MessageEntity => ({
  type,
  offset,
  length,
  ...extra,
});

describe('entities → canonical', () => {
  const cases: [string, string, MessageEntity[], string][] = [
    ['plain text is escaped', 'a*b_c [x](y) `z` \\ ~~s~~', [], 'a\\*b\\_c \\[x\\]\\(y\\) \\`z\\` \\\\ \\~\\~s\\~\\~'],
    ['line-start > is not a quote', '> not a quote', [], '\\> not a quote'],
    ['bold', 'hello world', [e('bold', 6, 5)], 'hello **world**'],
    ['italic', 'so nice', [e('italic', 3, 4)], 'so _nice_'],
    ['italic before a word character', 'foobar', [e('italic', 0, 3)], '*foo*bar'],
    ['strikethrough', 'no yes', [e('strikethrough', 0, 2)], '~~no~~ yes'],
    ['underline and spoiler keep their text', 'u s', [e('underline', 0, 1), e('spoiler', 2, 1)], 'u s'],
    ['code', 'run ls -la now', [e('code', 4, 6)], 'run `ls -la` now'],
    ['code with a backtick is escaped text', 'a`b', [e('code', 0, 3)], 'a\\`b'],
    ['pre with language on its own lines', 'see x = 1; done', [e('pre', 4, 6, { language: 'js' })], 'see \n```js\nx = 1;\n```\n done'],
    ['text_link', 'the docs here', [e('text_link', 4, 4, { url: 'https://core.telegram.org/bots' })], 'the [docs](https://core.telegram.org/bots) here'],
    ['url', 'go example.com/a_b', [e('url', 3, 15)], 'go [example.com/a\\_b](http://example.com/a_b)'],
    ['mention and hashtag are text', '@bob #tag', [e('mention', 0, 4), e('hashtag', 5, 4)], '@bob #tag'],
    ['blockquote', 'said:\nquoted line', [e('blockquote', 6, 11)], 'said:\n> quoted line'],
    ['nested bold italic', 'bold italic', [e('bold', 0, 11), e('italic', 5, 6)], '**bold _italic_**'],
    ['spaces stay outside the marks', 'a  b  c', [e('bold', 1, 5)], 'a  **b**  c'],
    ['marks do not span lines', 'one\ntwo', [e('bold', 0, 7)], '**one**\n**two**'],
    // 😀 is two UTF-16 code units: offsets count them, as Telegram does.
    ['offsets after emoji (UTF-16)', '😀 bold 👍🏽 it', [e('bold', 3, 4), e('italic', 13, 2)], '😀 **bold** 👍🏽 _it_'],
    ['entity past the end is ignored', 'abc', [e('bold', 2, 5)], 'abc'],
  ];
  it.each(cases)('%s', (_name, text, entities, expected) => {
    expect(entitiesToCanonical(text, entities)).toBe(expected);
  });

  it('plain text survives escaping exactly', () => {
    const text = 'a*b_c [x](y) `z` \\ ~~s~~ **t** > q';
    expect(toPlain(entitiesToCanonical(text, []))).toBe(text);
  });

  it('a link URL with parentheses survives', () => {
    const url = 'https://en.wikipedia.org/wiki/Foo_(bar)';
    const nodes = parse(entitiesToCanonical('see it', [e('text_link', 4, 2, { url })]));
    expect(nodes).toContainEqual({ type: 'link', url, children: [{ type: 'text', text: 'it' }] });
  });

  // Telegram → canonical → Telegram keeps the text and the formatting.
  const roundTrips: [string, string, MessageEntity[]][] = [
    ['bold + italic + strike', 'a bold b italic c strike', [e('bold', 2, 4), e('italic', 9, 6), e('strikethrough', 18, 6)]],
    ['nested', 'bold italic', [e('bold', 0, 11), e('italic', 5, 6)]],
    ['code with html chars', 'x <b>&amp;</b> y', [e('code', 2, 12)]],
    ['link with html chars in text', 'a <link> & b', [e('text_link', 2, 6, { url: 'https://x.test/?a=1&b="2"' })]],
    ['emoji offsets', '👍🏽 go 😀 bold', [e('bold', 11, 4)]],
    ['pre block', 'code:\nif (a < b) {}\nend', [e('pre', 6, 13)]],
  ];
  it.each(roundTrips)('round trip: %s', (_name, text, entities) => {
    const back = parseHtml(toHtml(entitiesToCanonical(text, entities)));
    expect(back.text).toBe(text);
    expect(back.entities).toEqual(entities);
  });
});

describe('canonical → Telegram HTML', () => {
  const cases: [string, string, string][] = [
    ['user text cannot inject tags', escapeText('<b>x</b> & <script>'), '&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;'],
    ['bold, italic, strike', '**b** _i_ ~~s~~', '<b>b</b> <i>i</i> <s>s</s>'],
    ['code is escaped', '`a<b`', '<code>a&lt;b</code>'],
    ['pre with language', '```ts\nconst a = b < c;\n```', '<pre><code class="language-ts">const a = b &lt; c;</code></pre>'],
    ['link', '[the docs](https://core.telegram.org/bots)', '<a href="https://core.telegram.org/bots">the docs</a>'],
    ['quotes in a URL are escaped', '[x](https://a.test/?q="><b>)', '<a href="https://a.test/?q=&quot;&gt;&lt;b&gt;">x</a>'],
    ['javascript: is not a link', '[x](javascript:alert\\(1\\))', 'x (javascript:alert(1))'],
    ['quote', '> quoted **b**', '<blockquote>quoted <b>b</b></blockquote>'],
  ];
  it.each(cases)('%s', (_name, canonical, html) => {
    expect(toHtml(canonical)).toBe(html);
  });

  const nasty: [string, string][] = [
    [escapeText('</b><i>'), '</b><i>'],
    ['**unclosed', '**unclosed'],
    ['<<>>&&;&amp;', '<<>>&&;&amp;'],
    ['[a](https://x.test/<>)', 'a'],
    ['```\n</pre>\n```', '</pre>'],
    ['`</code>`', '</code>'],
    ['> <blockquote>', '<blockquote>'],
    [escapeText('&lt;b&gt;'), '&lt;b&gt;'],
  ];
  it.each(nasty)('Telegram accepts the HTML for %j and shows the text', (canonical, shown) => {
    expect(parseHtml(toHtml(canonical)).text).toBe(shown);
  });
});

describe('fitting to a limit', () => {
  it('splits so every chunk of HTML fits, even when escaping makes it longer', () => {
    const text = escapeText('<&>'.repeat(1300)); // 3900 characters, ~14000 of HTML
    const chunks = splitHtml(text, 4096);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(chunks.map((c) => parseHtml(c).text).join('')).toBe('<&>'.repeat(1300));
  });

  it('keeps short text in one piece and drops empty text', () => {
    expect(splitHtml('**hi**', 4096)).toEqual(['<b>hi</b>']);
    expect(splitHtml('', 4096)).toEqual([]);
    expect(splitHtml('  \n ', 4096)).toEqual([]);
  });

  it('truncates with an ellipsis', () => {
    const out = truncateHtml('word '.repeat(400), 1024);
    expect(out.length).toBeLessThanOrEqual(1024);
    expect(out.endsWith('…')).toBe(true);
    expect(truncateHtml('short', 1024)).toBe('short');
  });
});
