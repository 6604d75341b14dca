/** Table tests for Slack mrkdwn ↔ canonical markup. */
import { describe, expect, it } from 'vitest';
import { canonicalToMrkdwn, mrkdwnToCanonical, referencedIds } from '../../bots/slack/format.js';
import { escapeText, toPlain } from '../../src/markup.js';

const names = {
  users: new Map([['U1', 'Alice']]),
  channels: new Map([['C9', 'random']]),
};

describe('mrkdwn → canonical', () => {
  it.each([
    ['plain', 'plain'],
    ['*bold* _italic_ ~strike~', '**bold** _italic_ ~~strike~~'],
    ['a *bold _nested_* b', 'a **bold _nested_** b'],
    ['snake_case_name and 2*3*4', 'snake\\_case\\_name and 2\\*3\\*4'],
    ['* not bold *', '\\* not bold \\*'],
    ['`code *not bold*`', '`code *not bold*`'],
    ['`a &lt; b`', '`a < b`'],
    ['before ```line1\nline2``` after', 'before\n```\nline1\nline2\n```\nafter'],
    ['```\nfn() &amp;&amp; x\n```', '```\nfn() && x\n```'],
    ['&gt; quoted\nnot', '> quoted\nnot'],
    ['&gt; one\n&gt; two', '> one\n> two'],
    ['&gt;&gt;&gt; all\nof this', '> all\n> of this'],
    ['<https://example.com>', '[https://example.com](https://example.com)'],
    ['<https://example.com/x?a=1&amp;b=2|the *site*>', '[the \\*site\\*](https://example.com/x?a=1&b=2)'],
    ['<mailto:a@b.example|a@b.example>', '[a@b.example](mailto:a@b.example)'],
    ['<@U1> and <@U2|bob> and <@U3>', '@Alice and @bob and @U3'],
    ['<#C1|general> <#C9> <#C8>', '#general #random #C8'],
    ['<!here> <!channel> <!everyone>', '@here @channel @everyone'],
    ['<!subteam^S12|@oncall> <!subteam^S13>', '@oncall @S13'],
    ['<!date^1392734382^{date}|Feb 18, 2014>', 'Feb 18, 2014'],
    ['1 &lt; 2 &amp;&amp; 3 &gt; 2', '1 < 2 && 3 \\> 2'],
    ['[not a link](x) \\ back', '\\[not a link\\]\\(x\\) \\\\ back'],
    ['*<https://x.example|bold link>*', '**[bold link](https://x.example)**'],
  ])('%j → %j', (input, expected) => {
    expect(mrkdwnToCanonical(input, names)).toBe(expected);
  });

  it('keeps what a person wrote when read back as plain text', () => {
    const text = 'price: 5*3 = 15 & <tags> [brackets] back\\slash _under_score';
    const slack = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(toPlain(mrkdwnToCanonical(slack))).toBe(text);
  });

  it('lists the user and channel ids that need a look-up', () => {
    expect(referencedIds('<@U1> <@U2|bob> <#C1> <#C2|x> <@U1>')).toEqual({ users: ['U1'], channels: ['C1'] });
  });
});

describe('canonical → mrkdwn', () => {
  it.each([
    ['plain', 'plain'],
    ['**bold** _italic_ ~~strike~~', '*bold* _italic_ ~strike~'],
    ['`a<b`', '`a&lt;b`'],
    ['```\n<!channel> & co\n```', '```\n&lt;!channel&gt; &amp; co\n```'],
    ['[label](https://example.com/?a=1&b=2)', '<https://example.com/?a=1&amp;b=2|label>'],
    ['[https://example.com](https://example.com)', '<https://example.com>'],
    ['[x](ftp://files.example)', 'x (ftp://files.example)'],
    ['> quoted **text**', '> quoted *text*'],
    [escapeText('> not a quote'), '\u200b&gt; not a quote'],
    [escapeText('<!channel> <@U1> <#C1> <!subteam^S1>'), '&lt;!channel&gt; &lt;@U1&gt; &lt;#C1&gt; &lt;!subteam^S1&gt;'],
    ['[<!here>](https://x.example/<!here>|a)', '<https://x.example/%3C!here%3E%7Ca|&lt;!here&gt;>'],
  ])('%j → %j', (input, expected) => {
    expect(canonicalToMrkdwn(input)).toBe(expected);
  });

  it('never emits a control token from any text', () => {
    const nasty = ['<!channel>', '<@U1|x>', '<!here|here>', '<#C1>', '<!subteam^S1|@t>', '&lt;!channel&gt;', '<<!everyone>>'];
    for (const n of nasty) {
      for (const canonical of [escapeText(n), n, `**${n}**`, `\`${n}\``, `[${n}](https://a.example/${n})`]) {
        expect(canonicalToMrkdwn(canonical)).not.toMatch(/<[!@#]/);
      }
    }
  });

  it('round-trips formatting through Slack and back', () => {
    for (const c of ['**b** _i_ ~~s~~ `c`', '[site](https://example.com/path)', '> quote', 'a & b < c']) {
      expect(mrkdwnToCanonical(canonicalToMrkdwn(c))).toBe(c);
    }
  });
});
