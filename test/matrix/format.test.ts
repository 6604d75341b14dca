import { describe, expect, it } from 'vitest';
import { bodyToCanonical, canonicalToMatrix, htmlToCanonical } from '../../bots/matrix/format.js';
import { normalizeCommand } from '../../bots/matrix/inbound.js';
import { textContents, MAX_CONTENT_BYTES } from '../../bots/matrix/outbound.js';
import { parseMxc, roomServer } from '../../bots/matrix/types.js';

describe('matrix HTML → canonical', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['bold and italic', '<strong>big</strong> and <em>slanted</em>', '**big** and _slanted_'],
    ['b/i/del', '<b>x</b><i>y</i><del>z</del>', '**x**_y_~~z~~'],
    ['strike tag', '<s>gone</s>', '~~gone~~'],
    ['inline code', 'run <code>ls -l</code>', 'run `ls -l`'],
    ['code block with language', '<pre><code class="language-js">let a = 1 &lt; 2;\n</code></pre>', '```js\nlet a = 1 < 2;\n```'],
    ['link', '<a href="https://example.com/a_b">the site</a>', '[the site](https://example.com/a_b)'],
    ['unsafe link scheme keeps the label only', '<a href="javascript:alert(1)">click</a>', 'click'],
    ['user pill becomes its label', '<a href="https://matrix.to/#/@bob:example.org">Bob</a>: hi', 'Bob: hi'],
    ['line breaks', 'one<br>two<br/>three', 'one\ntwo\nthree'],
    ['paragraphs', '<p>one</p>\n<p>two</p>', 'one\n\ntwo'],
    ['blockquote', '<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>reply</p>', '> quoted\n\nreply'],
    ['lists', '<ul><li>a</li><li>b</li></ul>', '- a\n- b'],
    ['ordered list', '<ol start="3"><li>a</li><li>b</li></ol>', '3. a\n4. b'],
    ['heading', '<h1>Title</h1>text', '**Title**\ntext'],
    ['entities', 'a &amp; b &lt;c&gt; &#39;d&#39; &#x263A;', 'a & b <c\\> \'d\' ☺'],
    ['text marks are escaped', '2*3*4 and [x](y) _z_', '2\\*3\\*4 and \\[x\\]\\(y\\) \\_z\\_'],
    ['reply fallback dropped', '<mx-reply><blockquote>In reply to <a href="https://matrix.to/#/@a:b">@a:b</a><br>old</blockquote></mx-reply>new', 'new'],
    ['unknown tags keep their text', '<span data-mx-color="#f00">red</span> <font>f</font>', 'red f'],
    ['broken html is text', 'a < b and <notatag', 'a < b and <notatag'],
    ['script dropped', 'x<script>alert(1)</script>y', 'xy'],
  ])('%s', (_name, html, canonical) => {
    expect(htmlToCanonical(html)).toBe(canonical);
  });
});

describe('matrix plain body → canonical', () => {
  it.each([
    ['plain text is escaped', 'a *b* [c](d)', 'a \\*b\\* \\[c\\]\\(d\\)'],
    ['reply fallback removed', '> <@a:b> old line\n> more\n\nnew text', 'new text'],
    ['a normal quote is kept', '> not a fallback', '\\> not a fallback'],
  ])('%s', (_name, body, canonical) => {
    expect(bodyToCanonical(body)).toBe(canonical);
  });
});

describe('canonical → matrix', () => {
  it.each([
    ['plain text has no formatted_body', 'hello there', { body: 'hello there' }],
    ['html-looking text stays plain text', '<script>alert("x")</script> & co', { body: '<script>alert("x")</script> & co' }],
    ['html in formatted text is escaped', '**<img src=x onerror=alert(1)>** & co', { body: '<img src=x onerror=alert(1)> & co', formatted_body: '<strong>&lt;img src=x onerror=alert(1)&gt;</strong> &amp; co' }],
    ['bold/italic/strike', '**a** _b_ ~~c~~', { body: 'a b c', formatted_body: '<strong>a</strong> <em>b</em> <del>c</del>' }],
    ['code is escaped', '`<b>`', { body: '<b>', formatted_body: '<code>&lt;b&gt;</code>' }],
    ['pre with language', '```ts\nlet x = 1;\n```', { body: 'let x = 1;', formatted_body: '<pre><code class="language-ts">let x = 1;</code></pre>' }],
    ['link', '[site](https://e.com/?a=1&b="2")', { body: 'site (https://e.com/?a=1&b="2")', formatted_body: '<a href="https://e.com/?a=1&amp;b=&quot;2&quot;">site</a>' }],
    ['javascript link is not a link', '[x](javascript:alert(1\\))', { body: 'x (javascript:alert(1))', formatted_body: 'x' }],
    ['quote then text', '> q\nafter', { body: '> q\nafter', formatted_body: '<blockquote>q</blockquote>after' }],
    ['newlines', 'a\nb', { body: 'a\nb' }],
    ['escaped marks stay literal', '\\*not bold\\*', { body: '*not bold*' }],
  ])('%s', (_name, canonical, expected) => {
    expect(canonicalToMatrix(canonical)).toEqual(expected);
  });

  it('round-trips formatting through HTML', () => {
    const canonical = '**bold** _it_ ~~st~~ `code` [l](https://x.y/)';
    const out = canonicalToMatrix(canonical);
    expect(htmlToCanonical(out.formatted_body ?? '')).toBe(canonical);
  });
});

describe('matrix event size guard', () => {
  it('splits text whose event would pass the homeserver limit', () => {
    const cases: [string, string][] = [
      [`**${'漢'.repeat(15000)}**`, '漢'],
      ['\u0001'.repeat(16000), '\u0001'],
      [`**${'<'.repeat(15000)}**`, '<'],
    ];
    for (const [text, ch] of cases) {
      const parts = textContents(text, 'm.text');
      expect(parts.length).toBeGreaterThan(1);
      for (const c of parts) expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
      const count = (s: string): number => s.split(ch).length - 1;
      expect(parts.reduce((n, c) => n + count(c.body), 0)).toBe(count(text));
    }
  });

  it('keeps ordinary text in one event', () => {
    expect(textContents('x'.repeat(16000), 'm.text')).toHaveLength(1);
    expect(textContents('   ', 'm.text')).toHaveLength(0);
  });
});

describe('matrix ids', () => {
  it.each([
    ['!abc:matrix.org', 'matrix.org'],
    ['!room:gitter.im', 'gitter.im'],
    ['!x:example.org:8448', 'example.org:8448'],
    ['!opaqueRoomV12', undefined],
  ])('room %s is on %s', (roomId, server) => {
    expect(roomServer(roomId)).toBe(server);
  });

  it('parses mxc URIs', () => {
    expect(parseMxc('mxc://example.org/abc123')).toEqual({ server: 'example.org', mediaId: 'abc123' });
    expect(parseMxc('https://example.org/abc')).toBeUndefined();
  });
});

describe('matrix command forms', () => {
  const deps = { userId: '@sameroom:fake.test', botNames: ['Sameroom', 'sameroom'], commandWord: 'sameroom' };
  it.each([
    ['bang form', { body: '!sameroom open' }, '-sameroom open'],
    ['bang form alone', { body: '!sameroom' }, '-sameroom'],
    ['name with colon', { body: 'Sameroom: connect K7QF-M2XD-9P' }, '-sameroom connect K7QF-M2XD-9P'],
    ['@localpart', { body: '@sameroom help' }, '-sameroom help'],
    ['full user id', { body: '@sameroom:fake.test list' }, '-sameroom list'],
    ['pill with intentional mention', { body: 'Sameroom list', formatted_body: '<a href="https://matrix.to/#/@sameroom:fake.test">Sameroom</a> list', 'm.mentions': { user_ids: ['@sameroom:fake.test'] } }, '-sameroom list'],
    ['the name in a sentence is no command', { body: 'Sameroom is handy' }, undefined],
    ['another word', { body: '!other open' }, undefined],
    ['typed -sameroom is left alone', { body: '-sameroom open' }, undefined],
  ])('%s', (_name, content, expected) => {
    expect(normalizeCommand(content, deps)).toBe(expected);
  });
});
