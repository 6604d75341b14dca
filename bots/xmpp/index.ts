/**
 * The XMPP bot (@xmpp/client): multi-user chat rooms (XEP-0045) joined on invitation and
 * remembered, message styling (XEP-0393) ↔ canonical markup, corrections (XEP-0308) both ways,
 * replies (XEP-0461), retractions (XEP-0424) both ways, files through the server's HTTP upload
 * service (XEP-0363) when it has one, else as links.
 */
import type { BotContext, DeletingBot, EditingBot, NamingBot } from '../../src/bot.js';
import { DeliveryError } from '../../src/errors.js';
import type { Capabilities, OutboundDelete, OutboundEdit, OutboundPost, RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import type { XmppConfig } from './config.js';
import { XmppSession } from './connection.js';
import { canonicalToXmpp, defuseName, xmlSafe } from './format.js';
import { MessageIndex } from './ids.js';
import { groupchatToInbound } from './inbound.js';
import { bare, isRoomJid } from './ns.js';
import { correctionStanza, newStanzaId, postStanza, retractionStanza } from './outbound.js';
import { upload } from './upload.js';
import { LeaseGate } from '../shared/lease-gate.js';

export { xmppConfigFromEnv, type XmppConfig } from './config.js';

export interface XmppBot extends EditingBot, DeletingBot, NamingBot {
  /** Join a room (as if invited). */
  join(room: string, password?: string): void;
  /** Rooms the bot is in right now. */
  rooms(): string[];
}

const MAX_DOWNLOAD = 100 * 1024 * 1024;

export function createXmppBot(config: XmppConfig): XmppBot {
  const index = new MessageIndex();
  const sent = new Set<string>();
  let session: XmppSession | undefined;
  let ctx: BotContext | undefined;

  const live = (): XmppSession => {
    if (!session) throw new DeliveryError('unavailable', 'XMPP is not connected in this process');
    return session;
  };

  const trackSent = (id: string): void => {
    sent.add(id);
    if (sent.size > 5000) sent.delete(sent.values().next().value as string);
  };

  const trustedFileUrl = (url: string): boolean => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
    const domain = session?.domain ?? '';
    const host = u.hostname.toLowerCase();
    if (domain && (host === domain || host.endsWith(`.${domain}`))) return true;
    return (config.fileHosts ?? []).some((h) => h.toLowerCase() === u.host.toLowerCase() || h.toLowerCase() === host);
  };

  const roomOf = (room: RoomRef): string => {
    const jid = bare(room.channel);
    if (!isRoomJid(jid)) throw new DeliveryError('rejected', `not a room JID: ${JSON.stringify(room.channel)}`);
    return jid;
  };

  /** Post one message to a room, confirmed by its echo; returns its id. */
  const post = async (room: string, body: string, extra: { unstyled?: boolean; reply?: RemoteMessageId; oobUrl?: string } = {}): Promise<RemoteMessageId> => {
    const s = live();
    s.assertJoined(room);
    const id = newStanzaId();
    trackSent(id);
    const replyId = extra.reply ? (index.stanzaIdOf(room, extra.reply) ?? extra.reply) : undefined;
    const replyTo = extra.reply ? index.authorOf(room, extra.reply) : undefined;
    const stanza = postStanza({
      room,
      id,
      body: xmlSafe(body),
      unstyled: extra.unstyled,
      oobUrl: extra.oobUrl,
      reply: replyId ? { id: replyId, to: replyTo ? `${room}/${replyTo}` : undefined } : undefined,
    });
    index.remember(room, id, { nick: s.nickIn(room) });
    await s.sendConfirmed(stanza);
    return id as RemoteMessageId;
  };

  const uploadFile = async (file: StoredFile): Promise<string | undefined> => {
    const s = live();
    const svc = s.upload;
    if (!svc || (svc.maxBytes && file.size > svc.maxBytes)) return undefined;
    const data = await ctx?.readFile(file.id);
    if (!data) return undefined;
    return upload(s.xmpp, svc, { name: file.name, mime: file.mime, data });
  };

  let gate: LeaseGate | undefined;

  const bot = {
    platform: 'xmpp',
    connectionBound: true,
    get capabilities(): Capabilities {
      return {
        maxTextLength: config.maxTextLength ?? 10_000,
        maxFileBytes: session?.upload?.maxBytes ?? 0,
        impersonate: false,
        replies: true,
      };
    },
    async start(c: BotContext): Promise<void> {
      ctx = c;
      const log = c.log.child({ platform: 'xmpp' });
      // One session for the whole bridge: with several processes, only the holder of the XMPP
      // lease connects (and, through the queue, delivers).
      gate = new LeaseGate(c, {
        open: async () => {
          const s = new XmppSession(config, {
            log,
            state: c.state,
            onGroupchat: (st) => {
              if (session !== s) return;
              const event = groupchatToInbound(st, {
                commandWord: c.commandWord,
                index,
                ownNick: (room) => s.nickIn(room),
                isOwnId: (id) => sent.has(id),
                authorId: (room, nick) => s.authorId(room, nick),
                trustedFileUrl,
                // Through the bridge's fetcher: the server's domain and its subdomains, and XMPP_FILE_HOSTS, are the operator's.
                fetchFile: (url) => c.download(url, { configured: [s.domain, `*.${s.domain}`, ...(config.fileHosts ?? [])], maxBytes: MAX_DOWNLOAD }),
                newId: newStanzaId,
              });
              if (event) c.ingest(event).catch((err: unknown) => log.error({ err, room: event.room }, 'XMPP ingest failed'));
            },
          });
          session = s;
          try {
            await s.start();
          } catch (err) {
            session = undefined;
            throw err;
          }
        },
        close: async () => {
          const s = session;
          session = undefined;
          await s?.stop();
        },
      });
      await gate.start();
    },
    async stop(): Promise<void> {
      await gate?.stop();
      gate = undefined;
    },
    async send(p: OutboundPost): Promise<RemoteMessageId[]> {
      const room = roomOf(p.room);
      live().assertJoined(room);
      const { body, unstyled } = canonicalToXmpp(p.text);
      const ids: RemoteMessageId[] = [];
      const links: string[] = [];
      const uploaded: string[] = [];
      for (const f of p.attachments) {
        const url = await uploadFile(f);
        if (url) uploaded.push(url);
        else links.push(`${xmlSafe(f.name)}: ${f.url}`);
      }
      const text = [defuseName(body, p.author.name), ...links].filter((s) => s.trim()).join('\n');
      if (text) ids.push(await post(room, text, { unstyled, reply: p.replyTo }));
      for (const url of uploaded) ids.push(await post(room, url, { oobUrl: url, unstyled: true }));
      return ids;
    },
    async say(room: RoomRef, text: string, replyTo?: RemoteMessageId): Promise<RemoteMessageId[]> {
      const { body, unstyled } = canonicalToXmpp(text);
      if (!body.trim()) return [];
      return [await post(roomOf(room), body, { unstyled, reply: replyTo })];
    },
    async edit(e: OutboundEdit): Promise<void> {
      const room = roomOf(e.room);
      const s = live();
      s.assertJoined(room);
      const { body, unstyled } = canonicalToXmpp(e.text);
      const id = newStanzaId();
      trackSent(id);
      await s.sendConfirmed(correctionStanza({ room, id, replaces: e.id, body: xmlSafe(defuseName(body, e.author.name)), unstyled }));
    },
    async delete(d: OutboundDelete): Promise<void> {
      const room = roomOf(d.room);
      const s = live();
      s.assertJoined(room);
      const id = newStanzaId();
      trackSent(id);
      await s.sendConfirmed(retractionStanza({ room, id, originId: d.id, stanzaId: index.stanzaIdOf(room, d.id) }));
    },
    async roomName(room: RoomRef): Promise<string> {
      return bare(room.channel);
    },
    join(room: string, password?: string): void {
      live().join(room, password);
    },
    rooms(): string[] {
      return session?.rooms() ?? [];
    },
  } satisfies XmppBot;
  return bot;
}

