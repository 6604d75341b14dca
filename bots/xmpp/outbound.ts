/** Stanza builders for copies, corrections (XEP-0308) and retractions (XEP-0424). */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { NS } from './ns.js';

export const newStanzaId = (): string => randomUUID();

export interface PostStanza {
  readonly room: string;
  readonly id: string;
  readonly body: string;
  readonly unstyled?: boolean;
  /** XEP-0461: the replied-to message's id in this room (stanza-id in group chats) and its author's occupant JID. */
  readonly reply?: { readonly id: string; readonly to?: string };
  /** XEP-0066: the body is a file link clients may show inline. */
  readonly oobUrl?: string;
}

export function postStanza(p: PostStanza): Element {
  return xml(
    'message',
    { type: 'groupchat', to: p.room, id: p.id },
    xml('body', {}, p.body),
    xml('origin-id', { xmlns: NS.sid, id: p.id }),
    p.reply ? xml('reply', { xmlns: NS.reply, id: p.reply.id, to: p.reply.to }) : null,
    p.unstyled ? xml('unstyled', { xmlns: NS.styling }) : null,
    p.oobUrl ? xml('x', { xmlns: NS.oob }, xml('url', {}, p.oobUrl)) : null,
  );
}

/** XEP-0308: replaces the message whose id is `replaces` (always the first message's id). */
export function correctionStanza(p: { room: string; id: string; replaces: string; body: string; unstyled?: boolean }): Element {
  return xml(
    'message',
    { type: 'groupchat', to: p.room, id: p.id },
    xml('body', {}, p.body),
    xml('replace', { xmlns: NS.correct, id: p.replaces }),
    xml('origin-id', { xmlns: NS.sid, id: p.id }),
    p.unstyled ? xml('unstyled', { xmlns: NS.styling }) : null,
  );
}

/**
 * XEP-0424 retraction: `urn:xmpp:message-retract:1` naming the room's stanza-id (group chat
 * rule), plus the older `apply-to` form with the origin id for clients on XEP-0424 0.3, a
 * XEP-0428 fallback body and a store hint.
 */
export function retractionStanza(p: { room: string; id: string; originId: string; stanzaId?: string }): Element {
  return xml(
    'message',
    { type: 'groupchat', to: p.room, id: p.id },
    xml('retract', { xmlns: NS.retract, id: p.stanzaId ?? p.originId }),
    xml('apply-to', { xmlns: NS.fasten, id: p.originId }, xml('retract', { xmlns: NS.retract0 })),
    xml('fallback', { xmlns: NS.fallback, for: NS.retract }),
    xml('body', {}, 'This message was deleted, but your client does not support deleting messages.'),
    xml('origin-id', { xmlns: NS.sid, id: p.id }),
    xml('store', { xmlns: NS.hints }),
  );
}
