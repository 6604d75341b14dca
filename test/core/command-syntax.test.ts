/** The one mention/sigil-to-command helper every bot uses; each platform supplies only its syntax. */
import { describe, expect, it } from 'vitest';
import { mentionToCommand, sigilCommand } from '../../src/command.js';

describe('sigilCommand', () => {
  it('finds the head of `/sameroom …` and `!sameroom …`, any case, only as a whole word', () => {
    expect(sigilCommand('/sameroom open', '/', 'sameroom')).toEqual({ head: 9 });
    expect(sigilCommand('!SameRoom', '!', 'sameroom')).toEqual({ head: 9 });
    expect(sigilCommand('!sameroomx open', '!', 'sameroom')).toBeUndefined();
    expect(sigilCommand('say /sameroom', '/', 'sameroom')).toBeUndefined();
  });

  it("takes Telegram's `/sameroom@ThisBot` and refuses a command meant for another bot", () => {
    expect(sigilCommand('/sameroom@SameroomBot open', '/', 'sameroom', 'sameroombot')).toEqual({ head: 21 });
    expect(sigilCommand('/sameroom@OtherBot open', '/', 'sameroom', 'sameroombot')).toBeNull();
    expect(sigilCommand('/sameroom@OtherBot', '/', 'sameroom', '')).toBeNull();
  });
});

describe('mentionToCommand, bare style', () => {
  const forms = { names: ['@bridge:example.org', 'Sameroom'], style: 'bare' } as const;
  it('takes the name with or without @ and colon, and drops a repeated command word', () => {
    expect(mentionToCommand('Sameroom open', forms, 'sameroom')).toBe('-sameroom open');
    expect(mentionToCommand('@bridge:example.org: list', forms, 'sameroom')).toBe('-sameroom list');
    expect(mentionToCommand('sameroom, sameroom close 2', forms, 'sameroom')).toBe('-sameroom close 2');
    expect(mentionToCommand('Sameroomish open', forms, 'sameroom')).toBeUndefined();
  });
});
