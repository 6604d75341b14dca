import { describe, expect, it } from 'vitest';
import { GroupMeClient, retryAfterMs } from '../../bots/groupme/client.js';
import { groupmeConfigFromEnv } from '../../bots/groupme/config.js';
import { commandFromMention, fromCanonical, imageMeta, toCanonical, type Mention } from '../../bots/groupme/format.js';
import { parseCallback } from '../../bots/groupme/types.js';

describe('GroupMe text → canonical', () => {
  const cases: [string, Mention[], string][] = [
    ['hello', [], 'hello'],
    ['**not bold** _nor_ `code`', [], '\\*\\*not bold\\*\\* \\_nor\\_ \\`code\\`'],
    ['[x](http://y) > q', [], '\\[x\\]\\(http://y\\) \\> q'],
    ['hi @Al_ice!', [{ userId: '1', start: 3, length: 7 }], 'hi @Al\\_ice!'],
    ['hi Bob', [{ userId: '2', start: 3, length: 3 }], 'hi @Bob'],
    ['@A @B', [{ userId: '2', start: 3, length: 2 }, { userId: '1', start: 0, length: 2 }], '@A @B'],
    ['short', [{ userId: '1', start: 3, length: 50 }], 'short'],
    ['overlap', [{ userId: '1', start: 0, length: 4 }, { userId: '2', start: 2, length: 3 }], '@overlap'],
  ];
  it.each(cases)('%j with %j → %j', (text, mentions, want) => {
    expect(toCanonical(text, mentions)).toBe(want);
  });
});

describe('GroupMe commands', () => {
  const cases: [string, string | undefined][] = [
    ['@Sameroom open', '-sameroom open'],
    ['@sameroom: connect K7QF-M2XD-9P', '-sameroom connect K7QF-M2XD-9P'],
    ['  @SAMEROOM', '-sameroom'],
    ['@Sameroomer open', undefined],
    ['-sameroom open', undefined],
    ['hey @Sameroom open', undefined],
  ];
  it.each(cases)('%j → %j', (text, want) => {
    expect(commandFromMention(text, 'Sameroom', 'sameroom')).toBe(want);
  });
});

describe('canonical → GroupMe text', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['**b** _i_ ~~s~~ `c`', 'b i s c'],
    ['[label](https://x.y/z)', 'label (https://x.y/z)'],
    ['https://x.y', 'https://x.y'],
    ['> quoted\nnext', '> quoted\nnext'],
    ['\\*literal\\* \\_x\\_', '*literal* _x_'],
    ['```\nconst a = 1;\n```', 'const a = 1;'],
  ];
  it.each(cases)('%j → %j', (text, want) => {
    expect(fromCanonical(text)).toBe(want);
  });
});

describe('GroupMe image URLs', () => {
  const cases: [string, string, string][] = [
    ['https://i.groupme.com/480x325.jpeg.9e20b71dd6af4b58', '9e20b71dd6af4b58.jpg', 'image/jpeg'],
    ['https://i.groupme.com/100x100.png.abc123', 'abc123.png', 'image/png'],
    ['https://i.groupme.com/1x1.gif.ff.large', 'ff.gif', 'image/gif'],
    ['https://i.groupme.com/123456789', 'image.jpg', 'image/jpeg'],
    ['not a url', 'image.jpg', 'image/jpeg'],
  ];
  it.each(cases)('%s → %s %s', (url, name, mime) => {
    expect(imageMeta(url)).toEqual({ name, mime });
  });
});

describe('GroupMe-hosted downloads', () => {
  const client = new GroupMeClient({ apiUrl: 'https://api.groupme.com/v3', imageUrl: 'http://127.0.0.1:5/image', token: 't' });
  it.each([
    ['https://i.groupme.com/1x1.png.a', true],
    ['https://v.groupme.com/1/2.mp4', true],
    ['http://127.0.0.1:5/i/1x1.png.a', true],
    ['http://i.groupme.com/1x1.png.a', false],
    ['https://evilgroupme.com/x', false],
    ['https://i.groupme.com.evil.example/x', false],
    ['http://127.0.0.1:6/i/x', false],
    ['file:///etc/passwd', false],
    ['nonsense', false],
  ] as const)('%s → %s', (url, want) => {
    expect(client.isGroupMeHosted(url)).toBe(want);
  });
});

describe('Retry-After', () => {
  it.each([
    ['3', 3000],
    ['0.5', 500],
    ['Thu, 01 Jan 1970 00:00:10 GMT', 4000],
    ['soon', undefined],
    [null, undefined],
  ] as const)('%j → %j ms', (header, want) => {
    expect(retryAfterMs(header, 6000)).toBe(want);
  });
});

describe('callback payloads', () => {
  it('reads a GroupMe callback, numbers as ids included', () => {
    const msg = parseCallback({
      attachments: [{ type: 'image', url: 'u' }, 'junk', { no: 'type' }],
      avatar_url: null,
      created_at: 1302623328,
      group_id: 1234567890,
      id: '1234567890',
      name: 'John',
      sender_id: '12345',
      sender_type: 'user',
      source_guid: 'GUID',
      system: false,
      text: 'Hello world ☃☃',
      user_id: '1234567890',
    });
    expect(msg).toMatchObject({ group_id: '1234567890', sender_id: '12345', attachments: [{ type: 'image', url: 'u' }] });
  });
  it.each([[null], ['text'], [{ id: '1' }], [{ group_id: '1' }], [[1, 2]]])('rejects %j', (body) => {
    expect(parseCallback(body)).toBeUndefined();
  });
});

describe('configuration from the environment', () => {
  it('is off without a token', () => {
    expect(groupmeConfigFromEnv({})).toBeUndefined();
    expect(groupmeConfigFromEnv({ GROUPME_ACCESS_TOKEN: '  ' })).toBeUndefined();
  });
  it('has the documented defaults and overrides', () => {
    expect(groupmeConfigFromEnv({ GROUPME_ACCESS_TOKEN: 't' })).toEqual({
      accessToken: 't',
      apiUrl: 'https://api.groupme.com/v3',
      imageUrl: 'https://image.groupme.com',
    });
    expect(
      groupmeConfigFromEnv({
        GROUPME_ACCESS_TOKEN: 't',
        GROUPME_API_URL: 'http://127.0.0.1:1/v3',
        GROUPME_IMAGE_URL: 'http://127.0.0.1:1/image',
        GROUPME_BOT_NAME: 'Bridge',
        GROUPME_SYNC_INTERVAL_MS: '60000',
      }),
    ).toMatchObject({ apiUrl: 'http://127.0.0.1:1/v3', imageUrl: 'http://127.0.0.1:1/image', botName: 'Bridge', syncIntervalMs: 60000 });
  });
});
