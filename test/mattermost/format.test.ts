import { describe, expect, it } from 'vitest';
import { canonicalToMattermost, defuseRendered, escapeMarkdown, mattermostToCanonical } from '../../bots/mattermost/format.js';
import { displayName, normalizeCommand, postOf } from '../../bots/mattermost/inbound.js';
import { overrideProps } from '../../bots/mattermost/outbound.js';
import { runeLength } from '../../bots/mattermost/types.js';
import { parse } from '../../src/markup.js';

describe('mattermost → canonical', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['markdown passes through', '**b** _i_ ~~s~~ `c` [l](https://e.org)', '**b** _i_ ~~s~~ `c` [l](https://e.org)'],
    ['escapes stay escapes', '\\*not bold\\*', '\\*not bold\\*'],
    ['a literal backslash stays literal', 'C:\\Users\\ann', 'C:\\\\Users\\\\ann'],
    ['trailing backslash', 'ends with \\', 'ends with \\\\'],
    ['backslash inside code is untouched', '`C:\\x` and C:\\y', '`C:\\x` and C:\\\\y'],
    ['fenced code is untouched', '```\nC:\\x\n```', '```\nC:\\x\n```'],
    ['tilde fences become backtick fences', '~~~py\nx\n~~~', '```py\nx\n```'],
    ['autolinks lose their brackets', 'see <https://e.org/x>', 'see https://e.org/x'],
  ])('%s', (_n, mm, canonical) => {
    expect(mattermostToCanonical(mm)).toBe(canonical);
  });

  it('keeps the literal backslash when canonical markup is parsed', () => {
    expect(parse(mattermostToCanonical('C:\\Users'))).toEqual([{ type: 'text', text: 'C:\\Users' }]);
  });
});

describe('canonical → mattermost', () => {
  it.each([
    ['plain', 'hello', 'hello'],
    ['formatting', '**b** _i_ ~~s~~ `c`', '**b** _i_ ~~s~~ `c`'],
    ['user text marks are escaped', '2\\*3\\*4 a\\_b \\[x\\]\\(y\\)', '2\\*3\\*4 a\\_b \\[x\\](y)'],
    ['tables and html-ish text are escaped', 'a | b <i>', 'a \\| b \\<i>'],
    ['line-leading signs are escaped', '\\# not a heading\n- not a list\n1. not a list', '\\# not a heading\n\\- not a list\n1\\. not a list'],
    ['link', '[site](https://e.org)', '[site](https://e.org)'],
    ['quote', '> hi', '> hi'],
    ['code block', '```js\nx*y\n```', '```js\nx*y\n```'],
    ['defused mention stays defused', '@\u200bchannel', '@\u200bchannel'],
    ['markup cannot glue a mass mention', '@**channel** and @_all_', '@\u200b**channel** and @\u200b_all_'],
  ])('%s', (_n, canonical, mm) => {
    expect(canonicalToMattermost(canonical)).toBe(mm);
  });

  it('defuses only real mass mentions', () => {
    expect(defuseRendered('mail me@all.example or @allison, ping @here!')).toBe('mail me@all.example or @allison, ping @\u200bhere!');
  });

  it('escapes every markdown mark a user could type', () => {
    expect(escapeMarkdown('*_~`[]|\\<')).toBe('\\*\\_\\~\\`\\[\\]\\|\\\\\\<');
  });
});

describe('mattermost helpers', () => {
  it('counts runes like the server', () => {
    expect(runeLength('a😀b')).toBe(3);
  });

  it('parses data.post JSON strings and rejects junk', () => {
    expect(postOf({ event: 'posted', data: { post: '{"id":"p1","channel_id":"c1"}' } })).toMatchObject({ id: 'p1' });
    expect(postOf({ event: 'posted', data: { post: 'not json' } })).toBeUndefined();
    expect(postOf({ event: 'posted', data: { post: '{"id":1}' } })).toBeUndefined();
  });

  it.each([
    [{ username: 'ann', nickname: 'Annie', first_name: 'Ann', last_name: 'Lee' }, 'Annie'],
    [{ username: 'ann', first_name: 'Ann', last_name: 'Lee' }, 'Ann Lee'],
    [{ username: 'ann' }, 'ann'],
  ])('display name of %o is %s', (user, name) => {
    expect(displayName(user)).toBe(name);
  });

  it.each([
    ['@sameroom open', '-sameroom open'],
    ['@SameRoom: connect K7QF-M2XD-9P', '-sameroom connect K7QF-M2XD-9P'],
    ['@sameroom', '-sameroom'],
    ['@sameroom-bot open', undefined],
    ['hi @sameroom', undefined],
  ])('command form %s', (message, expected) => {
    expect(normalizeCommand(message, { botUsername: 'sameroom', commandWord: 'sameroom' })).toBe(expected);
  });

  it('builds override props', () => {
    expect(overrideProps({ id: 'u', name: 'Ann', avatarUrl: 'https://a/x.png' })).toEqual({ override_username: 'Ann', override_icon_url: 'https://a/x.png', from_webhook: 'true' });
    expect(overrideProps({ id: 'u', name: 'Ann' })).toEqual({ override_username: 'Ann', from_webhook: 'true' });
  });
});
