import { describe, expect, it } from 'vitest';
import { requireBinary } from './proc.js';

describe('requireBinary', () => {
  it('fails loudly, with the install line, when a server is missing (tests never skip)', () => {
    expect(() => requireBinary('sameroom-no-such-server', 'sameroom-no-such-server')).toThrow(
      /sameroom-no-such-server is not installed .*apt-get install -y sameroom-no-such-server/,
    );
  });

  it('finds the servers CI installs', () => {
    expect(requireBinary('ngircd', 'ngircd')).toMatch(/\/ngircd$/);
    expect(requireBinary('prosody', 'prosody')).toMatch(/\/prosody$/);
  });
});
