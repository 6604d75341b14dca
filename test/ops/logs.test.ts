/** What an operator reads: the start-up line, and readable (still scrubbed) logs at a terminal. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, wantsPretty } from '../../src/log.js';
import { packageVersion, startupSummary } from '../../src/summary.js';
import pretty from 'pino-pretty';

describe('start-up summary', () => {
  it('is one short line: version, URL, store, platforms with their state, what is not configured', () => {
    const line = startupSummary({
      version: packageVersion(),
      publicUrl: 'https://bridge.example.com',
      store: 'Redis',
      platforms: { web: { state: 'up' }, matrix: { state: 'down', reason: 'the homeserver rejected MATRIX_ACCESS_TOKEN' }, telegram: { state: 'standby' } },
      notConfigured: ['discord', 'slack', 'groupme', 'teams', 'irc', 'xmpp', 'mattermost', 'rocketchat'],
    });
    expect(line).toBe(
      'Sameroom 0.2.0 on https://bridge.example.com, store Redis; platforms: web, matrix (down), telegram (standby); ' +
        'not configured: discord, slack, groupme, teams, irc, xmpp, mattermost, rocketchat (keys in .env.example)',
    );
    expect(line.length).toBeLessThan(250);
  });
});

describe('log format', () => {
  it('is readable at a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(wantsPretty(undefined, true)).toBe(true);
    expect(wantsPretty(undefined, false)).toBe(false);
    expect(wantsPretty(undefined, undefined)).toBe(false);
    expect(wantsPretty('json', true)).toBe(false);
    expect(wantsPretty('pretty', false)).toBe(true);
  });

  it('readable lines carry the message and fields, with secrets scrubbed', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger('info', ['s3cret-value-123'], pretty({ colorize: false, destination: sink, sync: true, singleLine: true }));
    log.warn({ platform: 'matrix', url: 'https://x/?t=s3cret-value-123', token: 'abc' }, 'sync failed with s3cret-value-123');
    expect(out).toMatch(/WARN.*sync failed with \[redacted\].*"platform":"matrix"/);
    expect(out).not.toContain('s3cret-value-123');
    expect(out).not.toContain('abc');
    expect(out).not.toMatch(/^\{/);
  });
});
