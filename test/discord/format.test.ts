import { describe, expect, it } from 'vitest';
import { canonicalToDiscord, discordToCanonical, nonceFor, sanitizeUsername, type MentionNames } from '../../bots/discord/format.js';
import { toPlain } from '../../src/markup.js';

const names: MentionNames = {
  user: (id) => ({ '111': 'alice', '222': 'bob_the_builder' })[id],
  role: (id) => ({ '333': 'mods' })[id],
  channel: (id) => ({ '444': 'general' })[id],
};

describe('discordToCanonical', () => {
  it.each([
    ['plain text', 'hello world', 'hello world'],
    ['bold / italic / strike pass through', '**b** *i* _i_ ~~s~~', '**b** *i* _i_ ~~s~~'],
    ['user mention', 'hi <@111>', 'hi @alice'],
    ['legacy nick mention', 'hi <@!111>', 'hi @alice'],
    ['name with markup characters is escaped', '<@222> wins', '@bob\\_the\\_builder wins'],
    ['role mention', 'ping <@&333>', 'ping @mods'],
    ['channel mention', 'see <#444>', 'see #general'],
    ['unknown mentions', '<@999> <#998> <@&997>', '@unknown-user #unknown-channel @unknown-role'],
    ['custom emoji', 'nice <:blobcat:123456> <a:party:987>', 'nice :blobcat: :party:'],
    ['timestamp', '<t:0:F>', '1970-01-01 00:00 UTC'],
    ['slash command mention', 'use </sameroom:42>', 'use /sameroom'],
    ['suppressed embed link', '<https://example.com/a_b>', 'https://example.com/a\\_b'],
    ['masked link', '[docs](https://example.com/x)', '[docs](https://example.com/x)'],
    ['underline keeps its words', '__under__ line', 'under line'],
    ['snake_case stays', 'snake_case_word', 'snake_case_word'],
    ['inline code is verbatim', 'run `<@111> **x**`', 'run `<@111> **x**`'],
    ['double-backtick code', '``a ` b``', '`a ˋ b`'],
    ['code block with language', '```js\nlet a = 1;\n```', '```js\nlet a = 1;\n```'],
    ['one-line code block', 'x ```code``` y', 'x \n```\ncode\n```\n y'],
    ['quote', '> quoted\nnot', '> quoted\nnot'],
    ['block quote quotes the rest', '>>> one\ntwo', '> one\n> two'],
    ['heading becomes bold', '# Title\nbody', '**Title**\nbody'],
    ['subtext', '-# small print', 'small print'],
    ['> without space is not a quote', '>nope', '\\>nope'],
    ['escaped markup stays literal', '\\*not bold\\*', '\\*not bold\\*'],
    ['escaped angle bracket', '\\<@111>', '<@111>'],
    ['brackets are literal', 'a [b] (c)', 'a \\[b\\] \\(c\\)'],
    ['spoilers keep their bars', '||secret||', '||secret||'],
    ['lone backslash', 'C:\\dir', 'C:\\\\dir'],
  ])('%s', (_name, input, expected) => {
    expect(discordToCanonical(input, names)).toBe(expected);
  });

  it('shows readable names in plain text', () => {
    expect(toPlain(discordToCanonical('<@222> in <#444>: **hi** [x](https://e.com)', names))).toBe('@bob_the_builder in #general: hi x (https://e.com)');
  });
});

describe('canonicalToDiscord', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['bold italic strike', '**b** _i_ ~~s~~', '**b** *i* ~~s~~'],
    ['code', '`x`', '`x`'],
    ['pre', '```ts\nconst a = 1\n```', '```ts\nconst a = 1\n```'],
    ['link', '[label](https://example.com/a)', '[label](https://example.com/a)'],
    ['bare link', '[https://example.com](https://example.com)', 'https://example.com'],
    ['quote', '> hi\n> there', '> hi\n> there'],
    ['escaped marks stay literal', '\\*not bold\\* \\_x\\_', '\\*not bold\\* \\_x\\_'],
    ['user mention syntax is defused', '<@123> <@&456> <#789>', '\\<@123\\> \\<@&456\\> \\<#789\\>'],
    ['spoiler bars are escaped', '||x||', '\\|\\|x\\|\\|'],
    ['heading syntax is escaped', '# not a heading', '\\# not a heading'],
    ['subtext syntax is escaped', 'a\n-# not small', 'a\n\\-# not small'],
    ['URLs keep their underscores', 'see https://example.com/a\\_b\\_c now', 'see https://example.com/a_b_c now'],
    ['link with parentheses in URL', '[wiki](https://en.wikipedia.org/wiki/A\\_\\(b\\))', '[wiki](https://en.wikipedia.org/wiki/A_%28b%29)'],
    ['non-web link', '[x](ftp://host/file)', 'x (ftp://host/file)'],
    ['backticks inside code blocks', '```\n```inner\n```', '```\nˋˋˋinner\n```'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalToDiscord(input)).toBe(expected);
  });

  it('round-trips Discord markdown through canonical', () => {
    const discord = '**bold** *it* ~~gone~~ `code` [x](https://e.com)\n> quote';
    expect(canonicalToDiscord(discordToCanonical(discord, names))).toBe(discord);
  });
});

describe('sanitizeUsername', () => {
  it.each([
    ['Alice', 'Alice'],
    ['  spaced   out  ', 'spaced out'],
    ['Discord Fan', 'Disсord Fan'.replace('с', 'c').replace('o', '\u043e')],
    ['DISCORD', 'DISC\u041eRD'],
    ['clyde', 'clyd\u0435'],
    ['', 'Someone'],
  ])('%j', (input, expected) => {
    const out = sanitizeUsername(input);
    expect(out).toBe(expected);
    expect(out).not.toMatch(/discord|clyde/i);
  });

  it('caps names at 80 characters', () => {
    const out = sanitizeUsername('x'.repeat(200));
    expect([...out].length).toBeLessThanOrEqual(80);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('nonceFor', () => {
  it('is stable, at most 25 characters, and differs per part', () => {
    const a = nonceFor('delivery-1', 0);
    expect(a).toBe(nonceFor('delivery-1', 0));
    expect(a.length).toBeLessThanOrEqual(25);
    expect(nonceFor('delivery-1', 1)).not.toBe(a);
    expect(nonceFor('delivery-2', 0)).not.toBe(a);
  });
});
