/** A group chat `<message>` → `Inbound` (post, correction → edit, retraction → delete). */
import type { Element } from '@xmpp/client';
import { escapeText } from '../../src/markup.js';
import type { Inbound, InboundAttachment, RemoteMessageId } from '../../src/model.js';
import { xmppToCanonical } from './format.js';
import type { MessageIndex } from './ids.js';
import { NS, bare, resource } from './ns.js';
import { mentionToCommand } from '../../src/command.js';

export interface XmppInboundContext {
  readonly commandWord: string;
  readonly index: MessageIndex;
  /** The bot's nick in this room (undefined when not joined). */
  ownNick(room: string): string | undefined;
  /** Ids of messages the bot sent (their reflections are dropped even after a nick change). */
  isOwnId(id: string): boolean;
  /** Stable author id: the occupant's real bare JID when the room shows it, else room/nick. */
  authorId(room: string, nick: string): string;
  /** Files are fetched only from the server's own upload service (no fetching of arbitrary URLs). */
  trustedFileUrl(url: string): boolean;
  fetchFile(url: string): Promise<Uint8Array>;
  newId(): string;
}

/** `Nick: open`, `Nick, sameroom open`, `@Nick open` → `-sameroom open`; undefined otherwise. */
export function normalizeCommand(plain: string, ownNick: string, word: string): string | undefined {
  return mentionToCommand(plain, { names: [ownNick], style: 'at-or-colon' }, word);
}

/** Remove the XEP-0428 fallback ranges (quoted reply context) for `forNs`, counted in code points. */
export function stripFallback(body: string, st: Element, forNs: string): string {
  const cps = Array.from(body);
  const cut = new Set<number>();
  for (const fb of st.getChildren('fallback', NS.fallback)) {
    if (fb.attrs.for !== forNs) continue;
    for (const b of fb.getChildren('body')) {
      const start = Number(b.attrs.start ?? 0);
      const end = Number(b.attrs.end ?? cps.length);
      for (let k = start; k < end; k++) cut.add(k);
    }
  }
  return cut.size ? cps.filter((_, k) => !cut.has(k)).join('') : body;
}

const fileName = (url: string): string => {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file');
  } catch {
    return 'file';
  }
};

const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp4: 'video/mp4', webm: 'video/webm', mp3: 'audio/mpeg', ogg: 'audio/ogg', m4a: 'audio/mp4',
  pdf: 'application/pdf', txt: 'text/plain',
};
const mimeOf = (name: string): string => MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';

function retractedRef(st: Element): string | undefined {
  const v1 = st.getChild('retract', NS.retract)?.attrs.id;
  if (v1) return v1;
  const apply = st.getChild('apply-to', NS.fasten);
  return apply?.getChild('retract', NS.retract0) ? apply.attrs.id : undefined;
}

export function groupchatToInbound(st: Element, ctx: XmppInboundContext): Inbound | undefined {
  if (st.attrs.type !== 'groupchat' || !st.attrs.from) return undefined;
  const room = bare(st.attrs.from);
  const nick = resource(st.attrs.from);
  const originId = st.getChild('origin-id', NS.sid)?.attrs.id;
  const stanzaId = st.getChildren('stanza-id', NS.sid).find((e) => bare(e.attrs.by ?? '') === room)?.attrs.id;
  const id = originId ?? st.attrs.id ?? stanzaId ?? ctx.newId();
  ctx.index.remember(room, id, { stanzaId, nick });
  const channel = { platform: 'xmpp', channel: room } as const;
  const eventId = `${room}/${stanzaId ?? id}`;

  const retracted = retractedRef(st);
  if (!nick) {
    // From the room itself: only a moderator's retraction (XEP-0425) is relayed.
    const ref = st.getChild('retract', NS.retract)?.getChild('moderated') ? retracted : undefined;
    return ref ? { kind: 'delete', room: channel, eventId, id: ctx.index.resolve(room, ref) as RemoteMessageId, raw: st.toString() } : undefined;
  }
  const own = ctx.ownNick(room);
  if ((own !== undefined && nick === own) || ctx.isOwnId(id)) return undefined; // our reflection
  if (st.getChild('delay', NS.delay)) return undefined; // history replayed on join

  const author = { id: ctx.authorId(room, nick), name: nick };
  const owns = (target: string): boolean => {
    const by = ctx.index.authorOf(room, target);
    return by === undefined || by === nick; // only the author corrects or retracts a message
  };
  if (retracted) {
    const target = ctx.index.resolve(room, retracted);
    if (!owns(target)) return undefined;
    return { kind: 'delete', room: channel, eventId, id: target as RemoteMessageId, raw: st.toString() };
  }

  const body = st.getChildText('body');
  if (body === null) return undefined; // chat states, subject changes, receipts
  const unstyled = !!st.getChild('unstyled', NS.styling);
  const replace = st.getChild('replace', NS.correct)?.attrs.id;
  if (replace) {
    const target = ctx.index.resolve(room, replace);
    if (!owns(target)) return undefined;
    return { kind: 'edit', room: channel, eventId, id: target as RemoteMessageId, author, text: xmppToCanonical(body, unstyled), raw: st.toString() };
  }

  let text = body;
  const reply = st.getChild('reply', NS.reply);
  if (reply) text = stripFallback(text, st, NS.reply);
  const attachments: InboundAttachment[] = [];
  const oob = st.getChild('x', NS.oob)?.getChildText('url')?.trim();
  if (oob && text.trim() === oob && ctx.trustedFileUrl(oob)) {
    const name = fileName(oob);
    attachments.push({ name, mime: mimeOf(name), fetch: () => ctx.fetchFile(oob) });
    text = '';
  }
  let action = false;
  if (text.startsWith('/me ')) {
    action = true;
    text = text.slice(4);
  }
  const command = action || !own ? undefined : normalizeCommand(text, own, ctx.commandWord);
  const canonical = command !== undefined ? escapeText(command) : xmppToCanonical(text, unstyled);
  if (!canonical.trim() && attachments.length === 0) return undefined;
  const replyRef = reply?.attrs.id;
  return {
    kind: 'post',
    room: channel,
    eventId,
    id: id as RemoteMessageId,
    author,
    text: canonical,
    ...(attachments.length ? { attachments } : {}),
    ...(replyRef ? { replyTo: ctx.index.resolve(room, replyRef) as RemoteMessageId } : {}),
    ...(action ? { action: true } : {}),
    raw: st.toString(),
  };
}
