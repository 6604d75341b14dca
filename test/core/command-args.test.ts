/** A command's declared arguments reach `run` parsed: numbers as numbers, words lower-cased. */
import { describe, expect, it } from 'vitest';
import { parseArgs, type CommandSpec } from '../../commands/spec.js';

const spec: CommandSpec = {
  name: 'demo',
  usage: '<n> [mode] [note…]',
  help: 'demo',
  args: [
    { name: 'n', kind: 'int', min: 1 },
    { name: 'mode', kind: 'word', optional: true, oneOf: ['fast', 'slow'] },
    { name: 'note', kind: 'rest', optional: true },
  ],
  run: async () => '',
};

const values = (args: string[]) => {
  const r = parseArgs(spec, args, 'sameroom');
  if ('refused' in r) throw new Error(r.refused);
  return r.values;
};

describe('command arguments', () => {
  it('gives run a number, a lower-cased word of the declared set and the rest as one string', () => {
    const v = values(['12', 'FAST', 'hello', 'there']);
    expect(v.int('n')).toBe(12);
    expect(v.text('mode', ['fast', 'slow'] as const)).toBe('fast');
    expect(v.text('note')).toBe('hello there');
    // Asked as another type, nothing comes back rather than a wrong value.
    expect(v.text('n')).toBeUndefined();
    expect(v.int('mode')).toBeUndefined();
  });

  it('leaves optional arguments absent when not given', () => {
    const v = values(['3']);
    expect([v.int('n'), v.text('mode'), v.text('note')]).toEqual([3, undefined, undefined]);
  });

  it.each([['0'], ['2.5'], ['0x10'], ['1e3'], ['abc'], ['99999999999999999999']])('refuses %s as n, with the usage', (n) => {
    const r = parseArgs(spec, [n], 'sameroom');
    expect(r).toEqual({ refused: expect.stringContaining('Usage: `-sameroom demo <n> [mode] [note…]`.') });
  });

  it('refuses a word outside the declared set, and a missing required argument', () => {
    expect(parseArgs(spec, ['1', 'medium'], 'sameroom')).toEqual({ refused: expect.stringMatching(/^Unknown mode "medium": use one of fast, slow\./) });
    expect(parseArgs(spec, [], 'sameroom')).toEqual({ refused: expect.stringMatching(/^Missing n\./) });
  });
});
