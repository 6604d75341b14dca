import { describe, expect, it } from 'vitest';
import { canonicalToTeamsHtml, teamsHtmlToCanonical, teamsTextToCanonical } from '../../bots/teams/format.js';
import { decodeEntities } from '../../bots/teams/html.js';
import { toPlain } from '../../src/markup.js';

const MENTION = '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">Sameroom</span>';

describe('Teams HTML → canonical', () => {
  const table: Array<[string, string, string]> = [
    ['Teams wrapper divs', '<div><div>Hello there.</div>\n</div>', 'Hello there.'],
    ['bold / italic (strong, em)', 'Sending <strong>bold</strong>-<em>italic</em> text', 'Sending **bold**-_italic_ text'],
    ['b / i', '<b>B</b> and <i>I</i>', '**B** and _I_'],
    ['strike / s / del', '<strike>a</strike> <s>b</s> <del>c</del>', '~~a~~ ~~b~~ ~~c~~'],
    ['nested marks', '<b><i>both</i></b>', '**_both_**'],
    ['edge spaces move outside marks', 'x<b> spaced </b>y', 'x **spaced** y'],
    ['empty mark dropped', 'a<b> </b>b', 'a b'],
    ['inline code, raw', '<code>a*b_c &lt;tag&gt;</code>', '`a*b_c <tag>`'],
    ['backtick inside code cannot close it', '<code>a`b</code>', '`aˋb`'],
    ['pre keeps lines and indentation', '<pre>line1\n  line2 &amp; 3</pre>after', '```\nline1\n  line2 & 3\n```\nafter'],
    ['Teams codeblock', '<codeblock class="JavaScript"><code>let a = 1;\nlet b = 2;</code></codeblock>', '```\nlet a = 1;\nlet b = 2;\n```'],
    ['link', '<a href="https://example.com/x">the site</a>', '[the site](https://example.com/x)'],
    ['link with parens and spaces in URL', '<a href="https://e.com/a_(b) c">l</a>', '[l](https://e.com/a_\\(b\\)%20c)'],
    ['autolink', '<a href="https://e.com/">https://e.com/</a>', '[https://e.com/](https://e.com/)'],
    ['javascript: link keeps only its label', '<a href="javascript:alert(1)">click</a>', 'click'],
    ['paragraphs are lines', '<p>one</p><p>two</p>', 'one\ntwo'],
    ['empty paragraph is a blank line', '<p>one</p><p>&nbsp;</p><p>three</p>', 'one\n\nthree'],
    ['br', 'a<br>b<br/>c', 'a\nb\nc'],
    ['whitespace collapses like HTML', '<div>a\n   b</div>\n<div>c</div>', 'a b\nc'],
    ['entities', '&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#x1F600; &nbsp;x', '<b\\> & "q" \'s\' 😀  x'],
    ['markdown characters are escaped', '*not bold* _not italic_ [x](y) `z`', '\\*not bold\\* \\_not italic\\_ \\[x\\]\\(y\\) \\`z\\`'],
    ['blockquote', '<blockquote>quoted <b>text</b></blockquote><div>reply</div>', '> quoted **text**\nreply'],
    ['lists', '<ul><li>one</li><li>two</li></ul><ol><li>a</li><li>b</li></ol>', '- one\n- two\n1. a\n2. b'],
    ['heading', '<h2>Title</h2>body', '**Title**\nbody'],
    ['emoji image → its character', 'hi <img alt="😀" itemtype="http://schema.skype.com/Emoji" src="x"> there', 'hi 😀 there'],
    ['emoji element', '<emoji id="smile" alt="😄" title="Smile"></emoji>!', '😄!'],
    ['other images dropped (they arrive as attachments)', 'look <img src="https://x/hostedContents/1/$value">', 'look'],
    ['bot mention span removed', `<div>${MENTION}&nbsp;open</div>`, 'open'],
    ['other mention kept as @name', '<span itemtype="http://schema.skype.com/Mention" itemid="1">Jane Doe</span> hi', '@Jane Doe hi'],
    ['<at> mention', '<at>Sameroom</at> ping <at id="1">Bob</at>', 'ping @Bob'],
    ['script and style dropped', '<script>alert(1)</script><style>p{}</style>ok', 'ok'],
    ['stray and unclosed tags', '</b>a <b>b', 'a **b**'],
    ['literal < that is not a tag', 'a < b', 'a < b'],
  ];
  it.each(table)('%s', (_name, html, expected) => {
    expect(teamsHtmlToCanonical(html, { dropMentions: ['Sameroom'] })).toBe(expected);
  });

  it('keeps the text a user sees (plain projection)', () => {
    const html = '<div><div>Deploy <b>v2</b> to <a href="https://ci.example.com/run?id=1&amp;x=2">CI</a> *now*</div></div>';
    expect(toPlain(teamsHtmlToCanonical(html))).toBe('Deploy v2 to CI (https://ci.example.com/run?id=1&x=2) *now*');
  });
});

describe('Teams plain text → canonical', () => {
  const table: Array<[string, string, string]> = [
    ['plain', 'hello world', 'hello world'],
    ['bot mention removed', '<at>Sameroom</at> open', 'open'],
    ['bot mention matched case-insensitively', '<at>sameroom</at> list', 'list'],
    ['other mentions kept', '<at>Sameroom</at> tell <at>Jane Doe</at> hi', 'tell @Jane Doe hi'],
    ['markup characters escaped', '*a* _b_ `c` [d](e) > f', '\\*a\\* \\_b\\_ \\`c\\` \\[d\\]\\(e\\) \\> f'],
  ];
  it.each(table)('%s', (_name, text, expected) => {
    expect(teamsTextToCanonical(text, { dropMentions: ['Sameroom'] })).toBe(expected);
  });
});

describe('canonical → Teams HTML (textFormat xml)', () => {
  const table: Array<[string, string, string]> = [
    ['plain', 'hello', 'hello'],
    ['bold / italic / strike', '**b** _i_ ~~s~~', '<b>b</b> <i>i</i> <strike>s</strike>'],
    ['code is escaped', '`a<b>&c`', '<code>a&lt;b&gt;&amp;c</code>'],
    ['pre keeps newlines', '```\nx < y\nz\n```', '<pre>x &lt; y\nz</pre>'],
    ['link', '[site](https://e.com/?a=1&b=2)', '<a href="https://e.com/?a=1&amp;b=2">site</a>'],
    ['quote', '> quoted', '<blockquote>quoted</blockquote>'],
    ['newlines → <br>', 'a\nb', 'a<br>b'],
    ['HTML in user text is inert', '<script>alert(1)</script> <b>x</b>', '&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;'],
    ['an <at> mention cannot be injected', '<at>Everyone</at>', '&lt;at&gt;Everyone&lt;/at&gt;'],
    ['attribute breakout in a link is escaped', '[x](https://e.com/"onmouseover="alert\\(1\\))', '<a href="https://e.com/&quot;onmouseover=&quot;alert(1)">x</a>'],
    ['javascript: links are not links', '[x](javascript:alert\\(1\\))', 'x (javascript:alert(1))'],
    ['escaped marks are literal', '\\*not bold\\*', '*not bold*'],
  ];
  it.each(table)('%s', (_name, canonical, expected) => {
    expect(canonicalToTeamsHtml(canonical)).toBe(expected);
  });

  it('round-trips formatting through Teams HTML', () => {
    const canonical = '**bold** _it_ ~~gone~~ `code` [link](https://e.com/)';
    expect(teamsHtmlToCanonical(canonicalToTeamsHtml(canonical))).toBe(canonical);
  });
});

describe('decodeEntities', () => {
  it('leaves unknown and invalid references alone', () => {
    expect(decodeEntities('&bogus; &#xD800; &#0; &amp;')).toBe('&bogus; &#xD800; &#0; &');
  });
});
