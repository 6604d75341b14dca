import { describe, expect, it } from 'vitest';
import { ircConfigFromEnv } from '../../bots/irc/config.js';
import { messageToInbound, normalizeCommand, type InboundContext } from '../../bots/irc/inbound.js';

describe('normalizeCommand', () => {
  it.each([
    ['sameroom: open', '-sameroom open'],
    ['Sameroom, connect K7QF-M2XD-9P', '-sameroom connect K7QF-M2XD-9P'],
    ['@sameroom help', '-sameroom help'],
    ['sameroom: sameroom list', '-sameroom list'],
    ['sameroom: -sameroom list', '-sameroom list'],
    ['sameroom:', '-sameroom'],
  ])('%j → %j', (text, cmd) => {
    expect(normalizeCommand(text, 'Sameroom', 'sameroom')).toBe(cmd);
  });

  it.each(['sameroom is great', 'hey sameroom: open', 'sameroombot: open', '-sameroom open'])('%j is not addressed to the bot', (text) => {
    expect(normalizeCommand(text, 'sameroom', 'sameroom')).toBeUndefined();
  });
});

describe('messageToInbound', () => {
  let n = 0;
  const ctx: InboundContext = {
    workspace: 'irc.test',
    ownNick: 'sameroom',
    commandWord: 'sameroom',
    channelKey: (c) => c.toLowerCase(),
    isChannel: (t) => t.startsWith('#'),
    sameNick: (a, b) => a.toLowerCase() === b.toLowerCase(),
    newId: () => `id-${++n}`,
  };
  const msg = { nick: 'bob', ident: 'b', hostname: 'h', target: '#Chan', message: 'hi' };

  it('makes a post with a generated id, the lower-cased channel and the nick as author', () => {
    expect(messageToInbound(msg, false, ctx)).toMatchObject({
      kind: 'post',
      room: { platform: 'irc', workspace: 'irc.test', channel: '#chan' },
      author: { id: 'bob', name: 'bob' },
      text: 'hi',
      id: 'id-1',
      eventId: 'irc.test/id-1',
    });
  });

  it('uses the services account as the author id when the server tags it', () => {
    expect(messageToInbound({ ...msg, account: 'bobby' }, false, ctx)?.author).toEqual({ id: 'bobby', name: 'bob' });
  });

  it('drops its own echoes, private and ops-only messages, server notices and empty texts', () => {
    expect(messageToInbound({ ...msg, nick: 'SameRoom' }, false, ctx)).toBeUndefined();
    expect(messageToInbound({ ...msg, target: 'sameroom' }, false, ctx)).toBeUndefined();
    expect(messageToInbound({ ...msg, from_server: true }, false, ctx)).toBeUndefined();
    expect(messageToInbound({ ...msg, group: '@' }, false, ctx)).toBeUndefined();
    expect(messageToInbound({ ...msg, message: '\x02\x02 ' }, false, ctx)).toBeUndefined();
  });

  it('does not treat an action as a command', () => {
    expect(messageToInbound({ ...msg, message: 'sameroom: open' }, true, ctx)).toMatchObject({ text: 'sameroom: open', action: true });
  });
});

describe('ircConfigFromEnv', () => {
  it('is undefined without IRC_SERVER', () => {
    expect(ircConfigFromEnv({})).toBeUndefined();
  });

  it('defaults to TLS on 6697 and the nick sameroom', () => {
    expect(ircConfigFromEnv({ IRC_SERVER: 'irc.libera.chat' })?.networks[0]).toMatchObject({
      server: 'irc.libera.chat',
      port: 6697,
      tls: true,
      nick: 'sameroom',
    });
  });

  it('reads every key', () => {
    const env = {
      IRC_SERVER: 'irc.example.org',
      IRC_PORT: '6667',
      IRC_TLS: 'false',
      IRC_NICK: 'bridge',
      IRC_SASL_USER: 'acct',
      IRC_SASL_PASSWORD: 'pw',
      IRC_NICKSERV_PASSWORD: 'ns',
      IRC_CHANNELS: '#a, #b',
    };
    expect(ircConfigFromEnv(env)?.networks[0]).toEqual({
      server: 'irc.example.org',
      port: 6667,
      tls: false,
      nick: 'bridge',
      saslUser: 'acct',
      saslPassword: 'pw',
      nickservPassword: 'ns',
      channels: ['#a', '#b'],
    });
  });

  it('refuses a bad port, a bad boolean and a SASL user without password', () => {
    expect(() => ircConfigFromEnv({ IRC_SERVER: 'x', IRC_PORT: 'abc' })).toThrow(/IRC_PORT/);
    expect(() => ircConfigFromEnv({ IRC_SERVER: 'x', IRC_TLS: 'maybe' })).toThrow(/IRC_TLS/);
    expect(() => ircConfigFromEnv({ IRC_SERVER: 'x', IRC_SASL_USER: 'u' })).toThrow(/IRC_SASL_PASSWORD/);
  });
});
