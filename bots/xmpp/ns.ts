/** XML namespaces and JID helpers used by the XMPP bot. */
export const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  conference: 'jabber:x:conference', // XEP-0249 direct invitations
  delay: 'urn:xmpp:delay', // XEP-0203: history replay on join
  sid: 'urn:xmpp:sid:0', // XEP-0359 origin-id / stanza-id
  correct: 'urn:xmpp:message-correct:0', // XEP-0308
  reply: 'urn:xmpp:reply:0', // XEP-0461
  fallback: 'urn:xmpp:fallback:0', // XEP-0428
  retract: 'urn:xmpp:message-retract:1', // XEP-0424 (0.4+)
  retract0: 'urn:xmpp:message-retract:0', // XEP-0424 (0.2/0.3, inside XEP-0422 apply-to)
  fasten: 'urn:xmpp:fasten:0',
  hints: 'urn:xmpp:hints',
  styling: 'urn:xmpp:styling:0', // XEP-0393 <unstyled/>
  oob: 'jabber:x:oob', // XEP-0066: file links clients show inline
  upload: 'urn:xmpp:http:upload:0', // XEP-0363
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  data: 'jabber:x:data',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

/** `room@muc.example.org/nick` → `room@muc.example.org` (lower-cased: JIDs compare case-insensitively). */
export function bare(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** `room@muc.example.org/nick` → `nick` ('' for a bare JID). */
export function resource(jid: string): string {
  const slash = jid.indexOf('/');
  return slash < 0 ? '' : jid.slice(slash + 1);
}

/** A room JID as the bridge names the room (its channel): bare and lower-cased. */
export function isRoomJid(s: string): boolean {
  return /^[^@/\s]+@[^@/\s]+$/.test(s);
}
