/** The one environment parser: every kind, defaults, and errors that name the key (never a secret). */
import { describe, expect, it } from 'vitest';
import { parseEnv, parseValue, type EnvKey } from '../../src/env.js';
import { loadConfig } from '../../src/config.js';

const redis: EnvKey = { key: 'REDIS_URL', kind: 'url', schemes: ['redis', 'rediss'], doc: '' };

describe('env parser', () => {
  it.each([
    ['redis://127.0.0.1:6379/0', true],
    ['redis://10.0.0.1:7000,10.0.0.2:7000', true],
    ['10.0.0.1:7000,10.0.0.2:7000', true],
    ['http://127.0.0.1:6379', false],
    ['not a url', false],
  ])('url %s accepted: %s', (raw, ok) => {
    expect('value' in parseValue(redis, raw)).toBe(ok);
  });

  it('parses numbers, booleans and lists, applies defaults, and collects every error by key', () => {
    const schema: EnvKey[] = [
      { key: 'A', kind: 'number', min: 1, default: '5', doc: '' },
      { key: 'B', kind: 'boolean', doc: '' },
      { key: 'C', kind: 'list', doc: '' },
      { key: 'D', kind: 'number', doc: '' },
      { key: 'E', kind: 'string', required: true, doc: '' },
      { key: 'F', kind: 'number', max: 10, doc: '' },
    ];
    const { values, errors } = parseEnv(schema, { B: 'yes', C: '#a, #b  #c', D: '1.5', F: '11' });
    expect(values.num('A')).toBe(5);
    expect(values.isSet('A')).toBe(false);
    expect(values.bool('B')).toBe(true);
    expect(values.list('C')).toEqual(['#a', '#b', '#c']);
    expect(errors).toEqual(['D: expected a whole number, got "1.5"', 'E is required', 'F: must be at most 10, got 11']);
    expect(() => values.str('UNDECLARED')).toThrow(/not declared/);
  });

  it('never repeats a secret value in an error', () => {
    const { errors } = parseEnv([{ key: 'S', kind: 'number', secret: true, doc: '' }], { S: 'hunter2' });
    expect(errors).toEqual(['S: expected a whole number, got "…"']);
  });

  it('the core reports all its bad keys at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', QUEUE_SHARDS: '0', COMMAND_WORD: '-x' })).toThrow(/PORT.*QUEUE_SHARDS.*COMMAND_WORD/);
  });

  it('takes the pino levels for LOG_LEVEL and names any other', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    expect(loadConfig({}).logLevel).toBe('info');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"/);
  });
});
