/**
 * The fake's gateway: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, dispatches filtered
 * by intents like Discord does, and RESUME (op 6) that replays what a dropped session missed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ChannelType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  type APIChannel,
  type APIInteraction,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GatewayMessageCreateDispatchData,
  type GatewayMessageDeleteBulkDispatchData,
  type GatewayMessageDeleteDispatchData,
  type GatewayMessageUpdateDispatchData,
  type GatewayReadyDispatchData,
  type GatewayThreadCreateDispatchData,
} from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeGuild, World } from './world.js';

export type GatewayEvent =
  | { t: GatewayDispatchEvents.Ready; d: GatewayReadyDispatchData }
  | { t: GatewayDispatchEvents.Resumed; d: null }
  | { t: GatewayDispatchEvents.GuildCreate; d: GatewayGuildCreateDispatchData }
  | { t: GatewayDispatchEvents.ThreadCreate; d: GatewayThreadCreateDispatchData }
  | { t: GatewayDispatchEvents.MessageCreate; d: GatewayMessageCreateDispatchData }
  | { t: GatewayDispatchEvents.MessageUpdate; d: GatewayMessageUpdateDispatchData }
  | { t: GatewayDispatchEvents.MessageDelete; d: GatewayMessageDeleteDispatchData }
  | { t: GatewayDispatchEvents.MessageDeleteBulk; d: GatewayMessageDeleteBulkDispatchData }
  | { t: GatewayDispatchEvents.InteractionCreate; d: APIInteraction };

type Frame = { op: GatewayOpcodes.Dispatch; s: number } & GatewayEvent;

interface Session {
  readonly id: string;
  readonly intents: number;
  seq: number;
  readonly sent: Frame[];
  socket: WebSocket | null;
}

export interface GatewayOptions {
  readonly world: World;
  readonly token: string;
  readonly bot: APIUser;
  readonly applicationId: string;
  readonly url: () => string;
}

export class FakeGateway {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sessions = new Map<string, Session>();
  identifies = 0;
  resumes = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly opts: GatewayOptions) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Send one event to every session whose intents let it see the event (queued for dropped sessions). */
  broadcast(build: (intents: number) => GatewayEvent | null): void {
    for (const s of this.sessions.values()) {
      const ev = build(s.intents);
      if (ev) this.push(s, ev);
    }
  }

  /** Close every open socket server-side (the sessions stay resumable). */
  drop(code: number = GatewayCloseCodes.UnknownError): void {
    for (const s of this.sessions.values()) {
      s.socket?.close(code, 'dropped by test');
      s.socket = null;
    }
  }

  /** Resolves once some session is connected and ready (identified or resumed) `count` times in total. */
  async connected(count = 1): Promise<void> {
    while (this.identifies + this.resumes < count || ![...this.sessions.values()].some((s) => s.socket)) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private onConnection(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(GatewayCloseCodes.DecodeError);
        return;
      }
      this.onPayload(ws, msg);
    });
    ws.on('close', () => {
      for (const s of this.sessions.values()) if (s.socket === ws) s.socket = null;
    });
  }

  private onPayload(ws: WebSocket, msg: unknown): void {
    if (!isObject(msg)) return;
    const d = isObject(msg.d) ? msg.d : {};
    switch (msg.op) {
      case GatewayOpcodes.Heartbeat:
        ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
        return;
      case GatewayOpcodes.Identify: {
        if (d.token !== this.opts.token) return ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
        const intents = typeof d.intents === 'number' ? d.intents : 0;
        const session: Session = { id: randomUUID().replace(/-/g, ''), intents, seq: 0, sent: [], socket: ws };
        this.sessions.set(session.id, session);
        this.identifies++;
        this.push(session, { t: GatewayDispatchEvents.Ready, d: this.ready(session) });
        for (const g of this.opts.world.guilds.values()) {
          if (g.members.has(this.opts.bot.id)) this.push(session, { t: GatewayDispatchEvents.GuildCreate, d: this.guildCreate(g) });
        }
        this.wake();
        return;
      }
      case GatewayOpcodes.Resume: {
        const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
        if (!session || d.token !== this.opts.token) {
          ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
          return;
        }
        const seq = typeof d.seq === 'number' ? d.seq : 0;
        session.socket = ws;
        this.resumes++;
        for (const f of session.sent) if (f.s > seq) ws.send(JSON.stringify(f));
        this.push(session, { t: GatewayDispatchEvents.Resumed, d: null });
        this.wake();
        return;
      }
      default:
        return;
    }
  }

  private push(s: Session, ev: GatewayEvent): void {
    const frame: Frame = { op: GatewayOpcodes.Dispatch, s: ++s.seq, ...ev };
    s.sent.push(frame);
    if (s.sent.length > 1000) s.sent.shift();
    s.socket?.send(JSON.stringify(frame));
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w();
    }
  }

  private ready(s: Session): GatewayReadyDispatchData {
    const guilds = [...this.opts.world.guilds.values()].filter((g) => g.members.has(this.opts.bot.id));
    return {
      v: 10,
      user: this.opts.bot,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: s.id,
      resume_gateway_url: this.opts.url(),
      shard: [0, 1],
      application: { id: this.opts.applicationId, flags: NO_FLAGS, flags_new: '0' },
    };
  }

  private guildCreate(g: FakeGuild): GatewayGuildCreateDispatchData {
    const world = this.opts.world;
    const all = [...world.channels.values()].filter((c) => c.guild_id === g.id).map((c) => world.apiChannel(c));
    return {
      id: g.id,
      name: g.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: g.owner_id,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: g.roles,
      emojis: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: GuildPremiumTier.None,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      stickers: [],
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: g.members.size,
      voice_states: [],
      members: [...g.members.values()].map((m) => ({
        user: m.user,
        nick: m.nick,
        avatar: m.avatar,
        banner: null,
        roles: m.roles,
        joined_at: m.joined_at,
        deaf: false,
        mute: false,
        flags: NO_FLAGS,
      })),
      channels: all.filter(isGuildText),
      threads: all.filter(isThread),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

/** Bit-flag fields with no flag set (a plain number, which numeric flag enums accept). */
const NO_FLAGS: number = 0;

type GuildText = APIChannel & { type: ChannelType.GuildText };
type Thread = APIChannel & { type: ChannelType.PublicThread };
const isGuildText = (c: APIChannel): c is GuildText => c.type === ChannelType.GuildText;
const isThread = (c: APIChannel): c is Thread => c.type === ChannelType.PublicThread;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Does a session with these intents receive this message event, and with its content? */
export function messageVisibility(intents: number, guild: boolean, botMentionedOrAuthor: boolean): 'none' | 'empty' | 'full' {
  const needed = guild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
  if ((intents & needed) === 0) return 'none';
  if (!guild || botMentionedOrAuthor || (intents & GatewayIntentBits.MessageContent) !== 0) return 'full';
  return 'empty';
}
