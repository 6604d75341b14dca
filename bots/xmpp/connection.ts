/**
 * The XMPP session: one @xmpp/client connection, reconnect with backoff, the rooms the bot is
 * in (XEP-0045, persisted in the bot's state so it rejoins after a restart), invitations
 * (XEP-0249 direct and XEP-0045 mediated), and delivery confirmation by the room's echo.
 */
import { client, xml, type Client, type Element } from '@xmpp/client';
import type { Logger } from 'pino';
import type { BotState } from '../../src/bot.js';
import { DeliveryError, rateLimited, rejected, unavailable } from '../../src/errors.js';
import type { XmppConfig } from './config.js';
import { NS, bare, isRoomJid, resource } from './ns.js';
import { discoverUpload, type UploadService } from './upload.js';

export interface SessionDeps {
  readonly log: Logger;
  readonly state: BotState;
  /** A group chat message from a room (including the bot's own reflections). */
  readonly onGroupchat: (stanza: Element) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: DeliveryError) => void;
  timer: NodeJS.Timeout;
}

const STATE_KEY = 'rooms';

/** A MUC / stanza error → DeliveryError. */
export function stanzaError(st: Element): DeliveryError {
  const err = st.getChild('error');
  const condition = err?.getChildElements().find((e) => e.attrs.xmlns === NS.stanzas)?.name ?? 'undefined-condition';
  const msg = `room refused the message: ${condition}`;
  if (condition === 'resource-constraint' || condition === 'policy-violation') return rateLimited(msg, 5000);
  if (condition === 'forbidden' || condition === 'not-allowed') return new DeliveryError('forbidden', msg);
  if (condition === 'item-not-found' || condition === 'recipient-unavailable' || condition === 'gone') return new DeliveryError('not_found', msg);
  if (condition === 'not-acceptable' || err?.attrs.type === 'wait') return unavailable(msg); // not (yet) an occupant
  return rejected(msg);
}

export class XmppSession {
  readonly xmpp: Client;
  readonly domain: string;
  upload: UploadService | undefined;
  private readonly log: Logger;
  private readonly wanted = new Map<string, { password?: string }>();
  /** Room → our nick there, once the room confirmed the join (status 110). */
  private readonly joined = new Map<string, string>();
  private readonly tryNick = new Map<string, string>();
  private readonly realJids = new Map<string, string>();
  private readonly waiters = new Map<string, Waiter>();
  private attempts = 0;

  constructor(
    private readonly cfg: XmppConfig,
    private readonly deps: SessionDeps,
  ) {
    const [local, at] = cfg.username.split('@') as [string, string | undefined];
    this.domain = (cfg.domain ?? at ?? new URL(cfg.service).hostname).toLowerCase();
    this.log = deps.log;
    this.xmpp = client({ service: cfg.service, domain: this.domain, username: local, password: cfg.password, resource: `sameroom-${process.pid}` });
    this.xmpp.reconnect.delay = this.backoff.baseMs;
    this.bind();
  }

  private get backoff(): { baseMs: number; maxMs: number } {
    return this.cfg.reconnect ?? { baseMs: 1000, maxMs: 300_000 };
  }

  get nick(): string {
    return this.cfg.nick ?? 'sameroom';
  }

  nickIn(room: string): string | undefined {
    return this.joined.get(room);
  }

  rooms(): string[] {
    return [...this.joined.keys()];
  }

  /** Stable id of an occupant: real JID when the room discloses it. */
  authorId(room: string, nick: string): string {
    return this.realJids.get(`${room}/${nick}`) ?? `${room}/${nick}`;
  }

  async start(): Promise<void> {
    const saved = await this.deps.state.get(STATE_KEY);
    const list: unknown = saved ? JSON.parse(saved) : [];
    if (Array.isArray(list)) {
      for (const r of list) {
        if (r && typeof r === 'object' && typeof (r as { jid?: unknown }).jid === 'string') {
          const { jid, password } = r as { jid: string; password?: unknown };
          this.wanted.set(jid, typeof password === 'string' ? { password } : {});
        }
      }
    }
    for (const r of this.cfg.rooms ?? []) this.wanted.set(this.roomJid(r), {});
    try {
      await this.xmpp.start();
    } catch (err) {
      if ((err as Error).name === 'SASLError') {
        this.xmpp.reconnect.stop();
        await this.xmpp.stop().catch(() => undefined);
        throw new Error(`XMPP login as ${this.cfg.username} failed: ${(err as Error).message}`);
      }
      this.log.warn({ err: (err as Error).message }, 'could not connect to XMPP; retrying in the background');
    }
  }

  async stop(): Promise<void> {
    this.xmpp.reconnect.stop();
    for (const [id, w] of this.waiters) {
      clearTimeout(w.timer);
      w.reject(unavailable('XMPP bot stopped'));
      this.waiters.delete(id);
    }
    if (this.xmpp.status !== 'offline') await this.xmpp.stop().catch(() => undefined);
  }

  /** `lobby` → `lobby@<mucDomain>`; room JIDs are bare and lower-cased. */
  roomJid(name: string): string {
    const r = bare(name);
    return r.includes('@') || !this.cfg.mucDomain ? r : `${r}@${this.cfg.mucDomain.toLowerCase()}`;
  }

  join(room: string, password?: string): void {
    const jid = this.roomJid(room);
    if (!isRoomJid(jid)) return;
    this.wanted.set(jid, password ? { password } : (this.wanted.get(jid) ?? {}));
    this.persist();
    this.sendJoin(jid);
  }

  /** Throws the DeliveryError for posting in a room the bot is not in. */
  assertJoined(room: string): string {
    if (this.xmpp.status !== 'online') throw unavailable('not connected to XMPP');
    const nick = this.joined.get(room);
    if (nick) return nick;
    if (this.wanted.has(room)) throw unavailable(`still joining ${room}`);
    throw new DeliveryError('forbidden', `not in ${room} (invite the bot)`);
  }

  /** Send a room message and wait for the room's echo (or its error) up to confirmTimeoutMs. */
  async sendConfirmed(stanza: Element): Promise<void> {
    const id = stanza.attrs.id as string;
    const echoed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        this.log.warn({ id }, 'no echo from the room; assuming the message went out');
        resolve();
      }, this.cfg.confirmTimeoutMs ?? 10_000);
      this.waiters.set(id, { resolve, reject, timer });
    });
    try {
      await this.xmpp.send(stanza);
    } catch (err) {
      const w = this.waiters.get(id);
      if (w) clearTimeout(w.timer);
      this.waiters.delete(id);
      throw unavailable(`XMPP send failed: ${(err as Error).message}`);
    }
    await echoed;
  }

  private settle(id: string | undefined, err?: DeliveryError): void {
    const w = id ? this.waiters.get(id) : undefined;
    if (!w || !id) return;
    clearTimeout(w.timer);
    this.waiters.delete(id);
    if (err) w.reject(err);
    else w.resolve();
  }

  private persist(): void {
    const list = [...this.wanted].map(([jid, o]) => (o.password ? { jid, password: o.password } : { jid }));
    this.deps.state.set(STATE_KEY, JSON.stringify(list)).catch((err: unknown) => this.log.error({ err }, 'could not save the XMPP room list'));
  }

  private sendJoin(room: string): void {
    if (this.xmpp.status !== 'online') return;
    const nick = this.tryNick.get(room) ?? this.nick;
    const password = this.wanted.get(room)?.password;
    const presence = xml(
      'presence',
      { to: `${room}/${nick}` },
      xml('x', { xmlns: NS.muc }, xml('history', { maxstanzas: 0 }), password ? xml('password', {}, password) : null),
    );
    this.xmpp.send(presence).catch((err: unknown) => this.log.warn({ err, room }, 'MUC join failed to send'));
  }

  private onPresence(st: Element): void {
    const from = st.attrs.from ?? '';
    const room = bare(from);
    const nick = resource(from);
    if (!this.wanted.has(room) || !nick) return;
    const x = st.getChild('x', NS.mucUser);
    const codes = new Set((x?.getChildren('status') ?? []).map((s) => s.attrs.code));
    const self = codes.has('110');
    if (st.attrs.type === 'error') {
      const condition = st.getChild('error')?.getChildElements()[0]?.name;
      if (condition === 'conflict' && (this.tryNick.get(room) ?? this.nick).length < this.nick.length + 4) {
        this.tryNick.set(room, `${this.tryNick.get(room) ?? this.nick}_`);
        this.sendJoin(room);
        return;
      }
      this.log.warn({ room, condition }, 'could not join XMPP room');
      this.joined.delete(room);
      return;
    }
    const real = x?.getChild('item')?.attrs.jid;
    if (real && !self) this.realJids.set(`${room}/${nick}`, bare(real));
    if (!self) return;
    if (st.attrs.type === 'unavailable') {
      this.joined.delete(room);
      if (codes.has('307') || codes.has('301') || codes.has('321') || codes.has('322')) {
        this.log.info({ room, codes: [...codes] }, 'removed from XMPP room');
        this.wanted.delete(room);
        this.persist();
      }
      return;
    }
    if (!this.joined.has(room)) this.log.info({ room, nick }, 'joined XMPP room');
    this.joined.set(room, nick);
  }

  private onMessage(st: Element): void {
    const id = st.attrs.id;
    if (st.attrs.type === 'error') {
      this.settle(id, stanzaError(st));
      return;
    }
    const direct = st.getChild('x', NS.conference);
    const mediated = st.getChild('x', NS.mucUser)?.getChild('invite');
    if (direct?.attrs.jid) {
      this.log.info({ room: direct.attrs.jid, from: st.attrs.from }, 'invited to XMPP room');
      this.join(direct.attrs.jid, direct.attrs.password);
      return;
    }
    if (mediated && st.attrs.from && !resource(st.attrs.from)) {
      // mediated invitations come from the room itself (a bare JID)
      this.log.info({ room: st.attrs.from, from: mediated.attrs.from }, 'invited to XMPP room');
      this.join(bare(st.attrs.from), st.getChild('x', NS.mucUser)?.getChildText('password') ?? undefined);
      return;
    }
    if (st.attrs.type !== 'groupchat') return;
    const room = bare(st.attrs.from ?? '');
    if (!this.wanted.has(room)) return;
    if (id && resource(st.attrs.from ?? '') === this.joined.get(room)) this.settle(id);
    this.deps.onGroupchat(st);
  }

  private bind(): void {
    const x = this.xmpp;
    x.on('error', (err) => this.log.warn({ err: err.message, condition: err.condition }, 'XMPP error'));
    x.on('status', (status) => {
      if (status !== 'disconnect') return;
      this.joined.clear();
      // @xmpp/reconnect waits `delay` before each attempt: grow it for the next one.
      const { baseMs, maxMs } = this.backoff;
      this.attempts++;
      x.reconnect.delay = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempts, 20)) + Math.floor(Math.random() * (baseMs / 2));
      this.log.warn({ attempt: this.attempts, delayMs: x.reconnect.delay }, 'XMPP connection lost; reconnecting');
    });
    x.on('online', () => {
      this.attempts = 0;
      x.reconnect.delay = this.backoff.baseMs;
      this.log.info({ jid: x.jid?.toString() }, 'connected to XMPP');
      void x.send(xml('presence')).catch(() => undefined);
      for (const room of this.wanted.keys()) this.sendJoin(room);
      discoverUpload(x, this.domain)
        .then((u) => {
          this.upload = u;
        })
        .catch((err: unknown) => this.log.warn({ err }, 'upload service discovery failed'));
    });
    x.on('stanza', (st) => {
      if (st.is('presence')) this.onPresence(st);
      else if (st.is('message')) this.onMessage(st);
    });
  }
}
