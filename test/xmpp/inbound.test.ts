import { xml, type Child, type Element } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import { xmppConfigFromEnv } from '../../bots/xmpp/config.js';
import { MessageIndex } from '../../bots/xmpp/ids.js';
import { groupchatToInbound, normalizeCommand, stripFallback, type XmppInboundContext } from '../../bots/xmpp/inbound.js';

const ROOM = 'room@muc.test';
const ctx = (over: Partial<XmppInboundContext> = {}): XmppInboundContext => ({
  commandWord: 'sameroom',
  index: new MessageIndex(),
  ownNick: () => 'sameroom',
  isOwnId: () => false,
  authorId: (room, nick) => `${room}/${nick}`,
  trustedFileUrl: (url) => url.startsWith('https://upload.muc.test/'),
  fetchFile: async () => new Uint8Array([1]),
  newId: () => 'generated',
  ...over,
});
const msg = (from: string, id: string | undefined, ...children: Child[]): Element =>
  xml('message', { type: 'groupchat', from: `${ROOM}/${from}`, id }, ...children);
const sid = (id: string, by = ROOM): Element => xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', id, by });

describe('groupchatToInbound', () => {
  it('prefers origin-id, then id, then the room stanza-id; eventId from the stanza-id', () => {
    const c = ctx();
    const a = groupchatToInbound(msg('bob', 'attr', xml('body', {}, 'x'), xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: 'orig' }), sid('S1')), c);
    expect(a).toMatchObject({ id: 'orig', eventId: `${ROOM}/S1` });
    expect(groupchatToInbound(msg('bob', 'attr', xml('body', {}, 'x')), c)).toMatchObject({ id: 'attr', eventId: `${ROOM}/attr` });
    expect(groupchatToInbound(msg('bob', undefined, xml('body', {}, 'x'), sid('S2'), sid('X', 'evil@muc.test')), c)).toMatchObject({ id: 'S2' });
  });

  it('drops own reflections, own ids, history (delay) and bodiless messages', () => {
    expect(groupchatToInbound(msg('sameroom', 'a', xml('body', {}, 'x')), ctx())).toBeUndefined();
    expect(groupchatToInbound(msg('other', 'mine', xml('body', {}, 'x')), ctx({ isOwnId: (id) => id === 'mine' }))).toBeUndefined();
    expect(groupchatToInbound(msg('bob', 'h', xml('body', {}, 'old'), xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2020-01-01T00:00:00Z', from: ROOM })), ctx())).toBeUndefined();
    expect(groupchatToInbound(msg('bob', 'c', xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })), ctx())).toBeUndefined();
    expect(groupchatToInbound(xml('message', { type: 'groupchat', from: ROOM }, xml('subject', {}, 'topic')), ctx())).toBeUndefined();
    expect(groupchatToInbound(xml('message', { type: 'chat', from: `${ROOM}/bob` }, xml('body', {}, 'pm')), ctx())).toBeUndefined();
  });

  it('maps reply and retraction references through the stanza-id to the bridge id', () => {
    const c = ctx();
    groupchatToInbound(msg('bob', 'orig', xml('body', {}, 'q'), sid('S9')), c);
    expect(groupchatToInbound(msg('carol', 'r', xml('body', {}, 'a'), xml('reply', { xmlns: 'urn:xmpp:reply:0', id: 'S9' })), c)).toMatchObject({ replyTo: 'orig' });
    expect(groupchatToInbound(msg('carol', 'd', xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'S9' })), c)).toBeUndefined(); // not hers
    expect(groupchatToInbound(msg('bob', 'd', xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'S9' })), c)).toMatchObject({ kind: 'delete', id: 'orig' });
    const v0 = msg('bob', 'd0', xml('apply-to', { xmlns: 'urn:xmpp:fasten:0', id: 'orig' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:0' })));
    expect(groupchatToInbound(v0, c)).toMatchObject({ kind: 'delete', id: 'orig' });
  });

  it('accepts a moderator retraction from the room itself', () => {
    const mod = xml('message', { type: 'groupchat', from: ROOM, id: 'm' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'S1' }, xml('moderated', { xmlns: 'urn:xmpp:message-moderate:1', by: `${ROOM}/mod` })));
    expect(groupchatToInbound(mod, ctx())).toMatchObject({ kind: 'delete', id: 'S1' });
  });

  it('makes an edit of a correction', () => {
    expect(groupchatToInbound(msg('bob', 'c2', xml('body', {}, 'new *text*'), xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'c1' })), ctx())).toMatchObject({
      kind: 'edit',
      id: 'c1',
      text: 'new **text**',
      author: { name: 'bob', id: `${ROOM}/bob` },
    });
  });

  it('turns a trusted upload link into an attachment, and leaves other links as text', async () => {
    const url = 'https://upload.muc.test/f/cat.PNG';
    const e = groupchatToInbound(msg('bob', 'f', xml('body', {}, url), xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, url))), ctx());
    expect(e).toMatchObject({ kind: 'post', text: '', attachments: [{ name: 'cat.PNG', mime: 'image/png' }] });
    const other = 'https://elsewhere.test/cat.png';
    const e2 = groupchatToInbound(msg('bob', 'g', xml('body', {}, other), xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, other))), ctx());
    expect(e2).toMatchObject({ text: 'https://elsewhere.test/cat.png' });
    expect(e2 && 'attachments' in e2 ? e2.attachments : undefined).toBeUndefined();
  });
});

describe('helpers', () => {
  it('strips XEP-0428 fallback ranges in code points', () => {
    const body = '> 😀 quoted\nreply';
    const st = xml('message', {}, xml('fallback', { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' }, xml('body', { start: 0, end: 11 })));
    expect(stripFallback(body, st, 'urn:xmpp:reply:0')).toBe('reply');
    expect(stripFallback(body, st, 'urn:other')).toBe(body);
  });

  it.each([
    ['sameroom: open', '-sameroom open'],
    ['@sameroom portal', '-sameroom portal'],
    ['Sameroom, sameroom list', '-sameroom list'],
  ])('normalizes %j', (text, cmd) => {
    expect(normalizeCommand(text, 'sameroom', 'sameroom')).toBe(cmd);
  });

  it('reads the configuration from the environment', () => {
    expect(xmppConfigFromEnv({})).toBeUndefined();
    expect(() => xmppConfigFromEnv({ XMPP_USERNAME: 'bot' })).toThrow(/XMPP_SERVICE/);
    expect(() => xmppConfigFromEnv({ XMPP_SERVICE: 'host:5222', XMPP_USERNAME: 'b', XMPP_PASSWORD: 'p' })).toThrow(/xmpp:\/\//);
    expect(
      xmppConfigFromEnv({
        XMPP_SERVICE: 'xmpp://chat.example.org:5222',
        XMPP_DOMAIN: 'example.org',
        XMPP_USERNAME: 'bridge',
        XMPP_PASSWORD: 'pw',
        XMPP_NICK: 'Bridge',
        XMPP_MUC_DOMAIN: 'conference.example.org',
        XMPP_ROOMS: 'lobby, dev@conference.example.org',
      }),
    ).toEqual({
      service: 'xmpp://chat.example.org:5222',
      domain: 'example.org',
      username: 'bridge',
      password: 'pw',
      nick: 'Bridge',
      mucDomain: 'conference.example.org',
      rooms: ['lobby', 'dev@conference.example.org'],
      fileHosts: [],
    });
  });
});
