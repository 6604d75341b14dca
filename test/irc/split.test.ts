import { describe, expect, it } from 'vitest';
import { splitIrcText, textBudget, utf8Length } from '../../bots/irc/split.js';

describe('splitIrcText', () => {
  it('keeps short text as one line and drops empty lines', () => {
    expect(splitIrcText('hello\n\n  \nworld', 100)).toEqual(['hello', 'world']);
  });

  it('splits on spaces within the byte budget', () => {
    expect(splitIrcText('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', 'ccc ddd']);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const lines = splitIrcText('ééé ééé ééé', 12); // 6 bytes a word
    expect(lines).toEqual(['ééé', 'ééé', 'ééé']);
    for (const l of lines) expect(utf8Length(l)).toBeLessThanOrEqual(12);
  });

  it('hard-splits a word longer than the budget without breaking a character or an emoji', () => {
    const family = '👨‍👩‍👧'; // one grapheme, 18 bytes
    const lines = splitIrcText(`${'€'.repeat(5)}${family}x`, 20);
    expect(lines.join('')).toBe(`${'€'.repeat(5)}${family}x`);
    for (const l of lines) {
      expect(utf8Length(l)).toBeLessThanOrEqual(20);
      expect(l).not.toMatch(/\uFFFD/);
    }
    expect(lines).toContain(`${family}x`);
  });

  it('carries formatting over to the next line', () => {
    expect(splitIrcText('\x02bold words here\x02 plain', 12)).toEqual(['\x02bold words', '\x02here\x02 plain']);
    expect(splitIrcText('\x1dline one\nline two\x1d', 50)).toEqual(['\x1dline one', '\x1dline two\x1d']);
  });

  it('fits PRIVMSG + the server-added source prefix into 512 bytes', () => {
    const budget = textBudget({ command: 'PRIVMSG', target: '#chän', nick: 'sameroom', username: 'sameroom' });
    const worst = `:sameroom!~sameroom@${'h'.repeat(63)} PRIVMSG #chän :`;
    expect(utf8Length(worst) + budget + 2).toBe(512);
    const action = textBudget({ command: 'PRIVMSG', target: '#c', nick: 'n', username: 'u', action: true });
    expect(action).toBe(textBudget({ command: 'PRIVMSG', target: '#c', nick: 'n', username: 'u' }) - 9);
  });
});
